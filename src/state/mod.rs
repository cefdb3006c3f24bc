//! The state file: Terraform's `terraform.tfstate` version 4 layout, written
//! atomically (temp file, fsync, rename) with mode 0600, keeping the previous
//! version as `terraform.tfstate.backup`. The serial increases only when the
//! content changes; the lineage is fixed when the state is first created.

pub mod backend;
pub mod lock;
pub mod mgr;
pub mod s3;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

pub const STATE_VERSION: u64 = 4;
/// The Terraform version herd reports in state files (the language level it follows).
pub const TERRAFORM_VERSION: &str = crate::version::TERRAFORM_VERSION;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OutputState {
    pub value: J,
    #[serde(rename = "type")]
    pub ty: J,
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct State {
    pub version: u64,
    pub terraform_version: String,
    pub serial: u64,
    pub lineage: String,
    pub outputs: BTreeMap<String, OutputState>,
    pub resources: Vec<ResourceState>,
    #[serde(default)]
    pub check_results: Option<J>,
    /// Operations that were started but not known to be finished (a create
    /// in flight when the process died). herd's extension; Terraform ignores it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_operations: Vec<PendingOperation>,
}

/// One resource (all its instances) in the v4 layout.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ResourceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    pub mode: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub name: String,
    pub provider: String,
    pub instances: Vec<InstanceState>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InstanceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    pub schema_version: u64,
    pub attributes: J,
    #[serde(default)]
    pub sensitive_attributes: Vec<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_before_destroy: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PendingOperation {
    /// Resource instance address.
    pub address: String,
    /// "create", "update", "delete".
    pub operation: String,
    /// RFC 3339 time the operation started.
    pub started: String,
}

impl State {
    pub fn new() -> State {
        State {
            version: STATE_VERSION,
            terraform_version: TERRAFORM_VERSION.into(),
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            outputs: BTreeMap::new(),
            resources: vec![],
            check_results: None,
            pending_operations: vec![],
        }
    }

    /// Same content, ignoring serial and terraform_version.
    pub fn same_content(&self, o: &State) -> bool {
        self.lineage == o.lineage
            && self.outputs == o.outputs
            && self.resources == o.resources
            && self.pending_operations == o.pending_operations
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("reading state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path} is not valid: {msg}")]
    Invalid { path: PathBuf, msg: String },
    #[error("writing state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path}: {source}")]
    Encryption {
        path: PathBuf,
        source: crate::encryption::EncryptionError,
    },
    /// A remote backend failed (`what` names the object, e.g. `s3://b/k`).
    #[error("{what}: {msg}")]
    Remote { what: String, msg: String },
}

/// The same serial rule for every backend: changed content gets
/// `prev.serial + 1` and is returned (to be written); unchanged content is
/// `None` (nothing to write: `prev` stands).
pub fn next_snapshot(prev: Option<&State>, mut new: State) -> Option<State> {
    if let Some(p) = prev {
        if p.same_content(&new) {
            return None;
        }
        new.serial = p.serial + 1;
    } else {
        new.serial = new.serial.max(1);
    }
    Some(new)
}

/// Read a state file; `Ok(None)` when it does not exist. An encrypted state
/// is decrypted with the command's encryption (`crate::encryption`).
pub fn read(path: &Path) -> Result<Option<State>, StateError> {
    read_with(path, &|b| decrypt_stored(path, b))
}

/// The decryption of a stored snapshot: the remote state data source's
/// target while one reads ([`with_remote_state_decryption`]), otherwise the
/// command's own `state` target.
fn decrypt_stored(
    source: &Path,
    bytes: &[u8],
) -> Result<Vec<u8>, crate::encryption::EncryptionError> {
    match REMOTE_STATE_NAME.with(|n| n.borrow().clone()) {
        Some(name) => crate::encryption::decrypt_remote_state(&name, bytes),
        None => crate::encryption::decrypt_state_file(source, bytes),
    }
}

/// [`read`] with the given decryption (a `terraform_remote_state` source).
pub fn read_with(
    path: &Path,
    decrypt: &crate::encryption::Decrypt<'_>,
) -> Result<Option<State>, StateError> {
    let bytes = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StateError::Read {
                path: path.to_path_buf(),
                source: e,
            })
        }
    };
    from_bytes_with(&bytes, &path.display().to_string(), decrypt)
}

/// The stored form of a state snapshot, as every backend writes it
/// (Terraform's pretty JSON with a final newline), encrypted when the
/// configuration asks for it (`crate::encryption`).
pub fn to_bytes(s: &State, source: &str) -> Result<Vec<u8>, StateError> {
    let mut text = serde_json::to_string_pretty(s).map_err(|e| StateError::Invalid {
        path: PathBuf::from(source),
        msg: e.to_string(),
    })?;
    text.push('\n');
    crate::encryption::encrypt_state(text.as_bytes()).map_err(|e| StateError::Encryption {
        path: PathBuf::from(source),
        source: e,
    })
}

thread_local! {
    /// Set while a `terraform_remote_state` data source reads through a
    /// backend: its stored state is decrypted with that data source's
    /// `remote_state_data_sources` target, not the command's own.
    static REMOTE_STATE_NAME: std::cell::RefCell<Option<String>> =
        const { std::cell::RefCell::new(None) };
}

/// Run `f` (a backend read on this thread) decrypting as the remote state
/// data source `name`.
pub fn with_remote_state_decryption<T>(name: &str, f: impl FnOnce() -> T) -> T {
    REMOTE_STATE_NAME.with(|n| *n.borrow_mut() = Some(name.to_string()));
    let r = f();
    REMOTE_STATE_NAME.with(|n| *n.borrow_mut() = None);
    r
}

/// Parse a stored snapshot (from a file or an S3 object; `source` names it
/// in errors); `Ok(None)` when it is empty. Encrypted snapshots are
/// decrypted with the command's encryption.
pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Option<State>, StateError> {
    from_bytes_with(bytes, source, &|b| decrypt_stored(Path::new(source), b))
}

/// [`from_bytes`] with the given decryption.
pub fn from_bytes_with(
    bytes: &[u8],
    source: &str,
    decrypt: &crate::encryption::Decrypt<'_>,
) -> Result<Option<State>, StateError> {
    let invalid = |msg: String| StateError::Invalid {
        path: PathBuf::from(source),
        msg,
    };
    if bytes.trim_ascii().is_empty() {
        return Ok(None);
    }
    let plain = decrypt(bytes).map_err(|e| StateError::Encryption {
        path: PathBuf::from(source),
        source: e,
    })?;
    let text = std::str::from_utf8(&plain).map_err(|e| invalid(e.to_string()))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let s: State = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if s.version != STATE_VERSION {
        return Err(invalid(format!(
            "unsupported state format version {} (herd reads version 4)",
            s.version
        )));
    }
    Ok(Some(s))
}

/// Is this the first write to `path` by this process? Like Terraform's local
/// state manager, herd backs up the state once per command: the backup holds
/// the state as it was before the command, not the previous intermediate
/// snapshot of an apply.
fn first_write(path: &Path) -> bool {
    static WRITTEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<PathBuf>>> =
        std::sync::OnceLock::new();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let key = std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .join(path.file_name().unwrap_or_default());
    let mut set = match WRITTEN.get_or_init(Default::default).lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    set.insert(key)
}

/// Atomic write: temp file in the same directory, fsync, rename; the file
/// as it was before this process first wrote it is kept as `<path>.backup`.
pub fn write_atomic(path: &Path, s: &State) -> Result<(), StateError> {
    let werr = |e| StateError::Write {
        path: path.to_path_buf(),
        source: e,
    };
    let text = to_bytes(s, &path.display().to_string())?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(werr)?;
    let tmp = dir.join(format!(
        ".{}.tmp.{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
        std::process::id()
    ));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(werr)?;
        f.write_all(&text).map_err(werr)?;
        f.sync_all().map_err(werr)?;
    }
    let first = first_write(path);
    if first && path.exists() {
        let backup = PathBuf::from(format!("{}.backup", path.display()));
        std::fs::copy(path, &backup).map_err(werr)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&backup, std::fs::Permissions::from_mode(0o600));
        }
    }
    std::fs::rename(&tmp, path).map_err(werr)?;
    crate::encryption::state_written(path);
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl State {
    /// Every resource instance in the state, by address.
    pub fn instances(
        &self,
    ) -> Vec<(
        crate::addrs::AbsResourceInstance,
        &ResourceState,
        &InstanceState,
    )> {
        let mut out = vec![];
        for r in &self.resources {
            let module = parse_module(r.module.as_deref().unwrap_or(""));
            let resource = crate::addrs::Resource {
                mode: if r.mode == "data" {
                    crate::addrs::Mode::Data
                } else {
                    crate::addrs::Mode::Managed
                },
                ty: r.ty.clone(),
                name: r.name.clone(),
            };
            for i in &r.instances {
                if i.deposed.is_some() {
                    continue;
                }
                let key = i
                    .index_key
                    .as_ref()
                    .and_then(crate::addrs::InstanceKey::from_json);
                out.push((
                    crate::addrs::AbsResourceInstance {
                        module: module.clone(),
                        resource: resource.clone(),
                        key,
                    },
                    r,
                    i,
                ));
            }
        }
        out
    }

    /// Find an instance.
    pub fn instance(
        &self,
        addr: &crate::addrs::AbsResourceInstance,
    ) -> Option<(&ResourceState, &InstanceState)> {
        // Same answer as searching `instances()`, without building the
        // address of every instance in the state for each lookup.
        let data = addr.resource.mode == crate::addrs::Mode::Data;
        for r in &self.resources {
            if (r.mode == "data") != data
                || r.ty != addr.resource.ty
                || r.name != addr.resource.name
                || parse_module(r.module.as_deref().unwrap_or("")) != addr.module
            {
                continue;
            }
            for i in &r.instances {
                if i.deposed.is_none()
                    && i.index_key
                        .as_ref()
                        .and_then(crate::addrs::InstanceKey::from_json)
                        == addr.key
                {
                    return Some((r, i));
                }
            }
        }
        None
    }

    /// `instance` for every key of one resource at once: key -> what
    /// `instance(&abs.instance(key))` returns (the first match), so a caller
    /// that looks up each of a resource's N instances needn't scan N times.
    pub fn instance_index(
        &self,
        abs: &crate::addrs::AbsResource,
    ) -> std::collections::HashMap<
        Option<crate::addrs::InstanceKey>,
        (&ResourceState, &InstanceState),
    > {
        let mut out = std::collections::HashMap::new();
        let data = abs.resource.mode == crate::addrs::Mode::Data;
        for r in &self.resources {
            if (r.mode == "data") != data
                || r.ty != abs.resource.ty
                || r.name != abs.resource.name
                || parse_module(r.module.as_deref().unwrap_or("")) != abs.module
            {
                continue;
            }
            for i in &r.instances {
                if i.deposed.is_none() {
                    let key = i
                        .index_key
                        .as_ref()
                        .and_then(crate::addrs::InstanceKey::from_json);
                    out.entry(key).or_insert((r, i));
                }
            }
        }
        out
    }

    /// Insert or replace an instance object.
    pub fn set_instance(
        &mut self,
        addr: &crate::addrs::AbsResourceInstance,
        provider: &str,
        inst: InstanceState,
    ) {
        let module = if addr.module.is_root() {
            None
        } else {
            Some(addr.module.to_string())
        };
        let mode = if addr.resource.mode == crate::addrs::Mode::Data {
            "data"
        } else {
            "managed"
        };
        let pos = self.resources.iter().position(|r| {
            r.module == module
                && r.mode == mode
                && r.ty == addr.resource.ty
                && r.name == addr.resource.name
        });
        let idx = match pos {
            Some(i) => i,
            None => {
                self.resources.push(ResourceState {
                    module,
                    mode: mode.into(),
                    ty: addr.resource.ty.clone(),
                    name: addr.resource.name.clone(),
                    provider: provider.into(),
                    instances: vec![],
                });
                self.resources.len() - 1
            }
        };
        let r = &mut self.resources[idx];
        r.provider = provider.into();
        let key = addr.key.as_ref().map(|k| k.to_json());
        match r
            .instances
            .iter()
            .position(|i| i.index_key == key && i.deposed.is_none())
        {
            Some(i) => r.instances[i] = inst,
            None => r.instances.push(inst),
        }
        self.sort();
    }

    /// Remove an instance; drops the resource when it has no instances left.
    pub fn remove_instance(
        &mut self,
        addr: &crate::addrs::AbsResourceInstance,
    ) -> Option<InstanceState> {
        let module = if addr.module.is_root() {
            None
        } else {
            Some(addr.module.to_string())
        };
        let mode = if addr.resource.mode == crate::addrs::Mode::Data {
            "data"
        } else {
            "managed"
        };
        let key = addr.key.as_ref().map(|k| k.to_json());
        let ri = self.resources.iter().position(|r| {
            r.module == module
                && r.mode == mode
                && r.ty == addr.resource.ty
                && r.name == addr.resource.name
        })?;
        let ii = self.resources[ri]
            .instances
            .iter()
            .position(|i| i.index_key == key && i.deposed.is_none())?;
        let inst = self.resources[ri].instances.remove(ii);
        if self.resources[ri].instances.is_empty() {
            self.resources.remove(ri);
        }
        Some(inst)
    }

    /// The deposed objects (left behind by create-before-destroy
    /// replacements whose old object was not destroyed yet), by address and
    /// deposed key.
    pub fn deposed_instances(
        &self,
    ) -> Vec<(
        crate::addrs::AbsResourceInstance,
        &ResourceState,
        &InstanceState,
    )> {
        let mut out = vec![];
        for r in &self.resources {
            let module = parse_module(r.module.as_deref().unwrap_or(""));
            let resource = crate::addrs::Resource {
                mode: if r.mode == "data" {
                    crate::addrs::Mode::Data
                } else {
                    crate::addrs::Mode::Managed
                },
                ty: r.ty.clone(),
                name: r.name.clone(),
            };
            for i in r.instances.iter().filter(|i| i.deposed.is_some()) {
                out.push((
                    crate::addrs::AbsResourceInstance {
                        module: module.clone(),
                        resource: resource.clone(),
                        key: i
                            .index_key
                            .as_ref()
                            .and_then(crate::addrs::InstanceKey::from_json),
                    },
                    r,
                    i,
                ));
            }
        }
        out
    }

    /// Turn the current object of `addr` into a deposed object with `key`;
    /// false when there is no current object.
    pub fn depose(&mut self, addr: &crate::addrs::AbsResourceInstance, key: &str) -> bool {
        let Some((r, i)) = self.instance(addr) else {
            return false;
        };
        let (provider, mut i) = (r.provider.clone(), i.clone());
        self.remove_instance(addr);
        i.deposed = Some(key.to_string());
        self.set_instance(addr, &provider, i);
        true
    }

    /// Drop the deposed object `key` of `addr`.
    pub fn remove_deposed(&mut self, addr: &crate::addrs::AbsResourceInstance, key: &str) {
        let module = if addr.module.is_root() {
            None
        } else {
            Some(addr.module.to_string())
        };
        let k = addr.key.as_ref().map(|k| k.to_json());
        for r in self.resources.iter_mut() {
            if r.module == module
                && (r.mode == "data") == (addr.resource.mode == crate::addrs::Mode::Data)
                && r.ty == addr.resource.ty
                && r.name == addr.resource.name
            {
                r.instances
                    .retain(|i| !(i.index_key == k && i.deposed.as_deref() == Some(key)));
            }
        }
        self.resources.retain(|r| !r.instances.is_empty());
    }

    /// Make the deposed object `key` of `addr` current again (its
    /// replacement could not be created).
    pub fn restore_deposed(&mut self, addr: &crate::addrs::AbsResourceInstance, key: &str) {
        if self.instance(addr).is_some() {
            return;
        }
        let module = if addr.module.is_root() {
            None
        } else {
            Some(addr.module.to_string())
        };
        let k = addr.key.as_ref().map(|k| k.to_json());
        for r in self.resources.iter_mut() {
            if r.module == module
                && (r.mode == "data") == (addr.resource.mode == crate::addrs::Mode::Data)
                && r.ty == addr.resource.ty
                && r.name == addr.resource.name
            {
                for i in r.instances.iter_mut() {
                    if i.index_key == k && i.deposed.as_deref() == Some(key) {
                        i.deposed = None;
                        return;
                    }
                }
            }
        }
    }

    /// Terraform's order: by module, then mode (data before managed), type, name; instances by key.
    pub fn sort(&mut self) {
        for r in self.resources.iter_mut() {
            r.instances.sort_by_key(|a| key_order(&a.index_key));
        }
        self.resources.sort_by(|a, b| {
            (
                a.module.clone().unwrap_or_default(),
                a.mode == "managed",
                &a.ty,
                &a.name,
            )
                .cmp(&(
                    b.module.clone().unwrap_or_default(),
                    b.mode == "managed",
                    &b.ty,
                    &b.name,
                ))
        });
    }
}

fn key_order(k: &Option<J>) -> (u8, i64, String) {
    match k {
        None => (0, 0, String::new()),
        Some(J::Number(n)) => (1, n.as_i64().unwrap_or(0), String::new()),
        Some(J::String(s)) => (2, 0, s.clone()),
        Some(other) => (3, 0, other.to_string()),
    }
}

/// Parse a module instance address as written in state (`module.a[0].module.b`).
pub fn parse_module(s: &str) -> crate::addrs::ModuleInstance {
    if s.is_empty() {
        return crate::addrs::ModuleInstance::root();
    }
    match s.parse::<crate::addrs::Target>() {
        Ok(crate::addrs::Target::Module(m)) => m,
        _ => crate::addrs::ModuleInstance::root(),
    }
}

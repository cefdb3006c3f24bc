//! Client-side state and plan encryption, compatible with OpenTofu's
//! `terraform { encryption { ... } }`: the same configuration (parsed by
//! `crate::config::encryption`), the same key providers (`pbkdf2`,
//! `aws_kms`) and methods (`aes_gcm`, `unencrypted`), and the same file
//! format, so OpenTofu reads what herd writes and the reverse.
//!
//! Everything here works on bytes: [`Encryption::encrypt_state`] turns a
//! serialised state into OpenTofu's envelope and [`Encryption::decrypt_state`]
//! turns either form back into plain JSON, so any backend (the local file,
//! S3) can put the hook between its serialiser and its storage. The CLI builds
//! one [`Encryption`] per command from the configuration ([`setup`]) and
//! [`install`]s it; the free functions ([`encrypt_state`], [`decrypt_state`],
//! [`encrypt_plan`], [`decrypt_plan`], [`decrypt_remote_state`]) use the
//! installed one, and without one they pass plain data through and refuse
//! encrypted data (as OpenTofu does without an encryption configuration).
//!
//! The envelope (OpenTofu's internal/encryption/base.go) is compact JSON:
//! `{"serial":N,"lineage":"..","meta":{KEY:B64},"encrypted_data":B64,
//! "encryption_version":"v0"}` for states (serial and lineage copied from
//! the plain state), without the first two for plans. `meta` maps each key
//! provider's storage key (`key_provider.TYPE.NAME`, or its
//! `encrypted_metadata_alias`) to the base64 of that provider's metadata
//! JSON; `encrypted_data` is the base64 of the AES-GCM nonce (12 bytes)
//! followed by the ciphertext and the 16-byte tag.

pub mod keys;
pub mod setup;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use keys::KeyProvider;

/// The envelope's version sigil (OpenTofu's `encryptionVersion`).
pub const ENCRYPTION_VERSION: &str = "v0";
/// AES-GCM nonce length (Go's `gcm.NonceSize()`).
pub const NONCE_LEN: usize = 12;

/// What went wrong encrypting or decrypting; the texts follow OpenTofu's.
#[derive(Debug, thiserror::Error)]
pub enum EncryptionError {
    #[error("{0}")]
    Encrypted(&'static str),
    #[error("encountered unencrypted payload without unencrypted method configured")]
    Unencrypted,
    #[error("{0}")]
    Invalid(String),
    #[error("invalid encrypted payload version: {0} != {ENCRYPTION_VERSION}")]
    Version(String),
    #[error("decryption failed for all provided methods: {}. The key does not match the one the data was encrypted with, or the data is damaged; nothing was changed", .0.join("; "))]
    AllMethodsFailed(Vec<String>),
    #[error("{summary}: {detail}")]
    Key { summary: String, detail: String },
    #[error("{0}")]
    Mismatch(String),
    #[error("encryption failed for {0}: {1}")]
    Encrypt(String, String),
}

/// How a payload was read: with the primary method, or with a fallback (or
/// as plain data while another method is primary), which means it should be
/// written again with the primary method (OpenTofu's `StatusMigration`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Satisfied,
    Migration,
}

/// One encryption method, ready to use.
#[derive(Debug)]
pub enum Method {
    Unencrypted,
    AesGcm {
        addr: String,
        keys: Arc<KeyProvider>,
        aad: Vec<u8>,
    },
}

/// The key and metadata a target encrypts with: made once per process (as
/// OpenTofu does), so every snapshot of one command uses the same key.
struct Writer {
    /// None for the unencrypted method.
    key: Option<Vec<u8>>,
    aad: Vec<u8>,
    meta: BTreeMap<String, String>,
}

/// Base64 ciphertext and the metadata map to store beside it.
type Sealed<'a> = (String, &'a BTreeMap<String, String>);

/// Turns stored bytes into plain bytes (one target's decryption).
pub type Decrypt<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, EncryptionError> + 'a;

/// A target (`state`, `plan`, a remote state data source): its primary
/// method first, then the fallbacks, in order.
pub struct Target {
    pub name: String,
    pub methods: Vec<Arc<Method>>,
    writer: OnceLock<Result<Writer, String>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("methods", &self.methods)
            .finish()
    }
}

#[derive(Serialize)]
struct StateEnvelope<'a> {
    serial: &'a serde_json::Value,
    lineage: &'a str,
    meta: &'a BTreeMap<String, String>,
    encrypted_data: String,
    encryption_version: &'static str,
}

#[derive(Serialize)]
struct PlanEnvelope<'a> {
    meta: &'a BTreeMap<String, String>,
    encrypted_data: String,
    encryption_version: &'static str,
}

/// The fields of an envelope a reader needs (Go's `basedata`).
#[derive(Deserialize, Default)]
struct Incoming {
    #[serde(default)]
    meta: Option<BTreeMap<String, String>>,
    #[serde(default)]
    encrypted_data: Option<String>,
    #[serde(default)]
    encryption_version: Option<String>,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// Is this an encryption envelope (a JSON object with a non-empty
/// `encryption_version`)? OpenTofu's `IsEncryptionPayload`.
pub fn is_encrypted(data: &[u8]) -> bool {
    serde_json::from_slice::<Incoming>(data)
        .ok()
        .and_then(|i| i.encryption_version)
        .is_some_and(|v| !v.is_empty())
}

/// AES-GCM with a 16, 24 or 32 byte key: nonce ‖ ciphertext ‖ tag.
pub fn aes_gcm_seal(
    key: &[u8],
    nonce: &[u8; NONCE_LEN],
    data: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, String> {
    let n = aes_gcm::Nonce::from_slice(nonce);
    let p = Payload { msg: data, aad };
    let ct = match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key).map_err(|e| e.to_string())?.encrypt(n, p),
        24 => aes_gcm::AesGcm::<aes_gcm::aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
            .map_err(|e| e.to_string())?
            .encrypt(n, p),
        32 => aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|e| e.to_string())?.encrypt(n, p),
        l => return Err(format!("AES-GCM requires the key length to be one of: 16, 24, 32, received {l} bytes in the encryption key")),
    }
    .map_err(|_| "cipher: encryption failed".to_string())?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(out)
}

/// The reverse of [`aes_gcm_seal`]; errors read like Go's (OpenTofu's
/// internal/encryption/method/aesgcm/aesgcm.go).
pub fn aes_gcm_open(key: &[u8], data: &[u8], aad: &[u8]) -> Result<Vec<u8>, String> {
    if data.is_empty() {
        return Err("decryption failed: cannot decrypt empty data".into());
    }
    if data.len() < NONCE_LEN {
        return Err("decryption failed: cannot decrypt data because it is too small (likely data corruption)".into());
    }
    let (nonce, ct) = data.split_at(NONCE_LEN);
    let n = aes_gcm::Nonce::from_slice(nonce);
    let p = Payload { msg: ct, aad };
    let r = match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key).map_err(|e| e.to_string())?.decrypt(n, p),
        24 => aes_gcm::AesGcm::<aes_gcm::aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
            .map_err(|e| e.to_string())?
            .decrypt(n, p),
        32 => aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|e| e.to_string())?.decrypt(n, p),
        l => return Err(format!("decryption failed: AES-GCM requires the key length to be one of: 16, 24, 32, received {l} bytes in the decryption key")),
    };
    r.map_err(|_| "decryption failed: cipher: message authentication failed".to_string())
}

pub fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    use rand::TryRngCore;
    let mut v = vec![0u8; n];
    rand::rngs::OsRng
        .try_fill_bytes(&mut v)
        .map_err(|e| format!("failed to obtain {n} bytes of random data: {e}"))?;
    Ok(v)
}

impl Target {
    pub fn new(name: impl Into<String>, methods: Vec<Arc<Method>>) -> Target {
        Target {
            name: name.into(),
            methods,
            writer: OnceLock::new(),
        }
    }

    /// Make the encryption key now (a fresh pbkdf2 salt, or a KMS data key),
    /// so that a key provider failure stops a command before it changes
    /// anything rather than when it first saves.
    pub fn prepare(&self) -> Result<(), String> {
        self.writer().map(|_| ())
    }

    fn writer(&self) -> Result<&Writer, String> {
        self.writer
            .get_or_init(|| match self.methods.first().map(|m| &**m) {
                None | Some(Method::Unencrypted) => Ok(Writer {
                    key: None,
                    aad: vec![],
                    meta: BTreeMap::new(),
                }),
                Some(Method::AesGcm { keys, aad, .. }) => {
                    let (key, meta) = keys.encryption_key()?;
                    let mut m = BTreeMap::new();
                    m.insert(keys.meta_key.clone(), b64().encode(meta));
                    Ok(Writer {
                        key: Some(key),
                        aad: aad.clone(),
                        meta: m,
                    })
                }
            })
            .as_ref()
            .map_err(|e| e.clone())
    }

    /// Encrypt with the primary method: `None` when it is `unencrypted`,
    /// else the base64 ciphertext and the metadata map.
    fn seal(&self, plain: &[u8]) -> Result<Option<Sealed<'_>>, EncryptionError> {
        let w = self
            .writer()
            .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e))?;
        let Some(key) = &w.key else {
            return Ok(None);
        };
        let nonce: [u8; NONCE_LEN] = random_bytes(NONCE_LEN)
            .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e))?
            .try_into()
            .map_err(|_| EncryptionError::Encrypt(self.name.clone(), "nonce".into()))?;
        let ct = aes_gcm_seal(key, &nonce, plain, &w.aad)
            .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e))?;
        Ok(Some((b64().encode(ct), &w.meta)))
    }

    /// Encrypt a serialised state (JSON) into the envelope.
    pub fn encrypt_state(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        #[derive(Deserialize)]
        struct Pass {
            #[serde(default)]
            serial: serde_json::Value,
            #[serde(default)]
            lineage: String,
        }
        let pass: Pass = serde_json::from_slice(plain)
            .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e.to_string()))?;
        let Some((data, meta)) = self.seal(plain)? else {
            return Ok(plain.to_vec());
        };
        serde_json::to_vec(&StateEnvelope {
            serial: &pass.serial,
            lineage: &pass.lineage,
            meta,
            encrypted_data: data,
            encryption_version: ENCRYPTION_VERSION,
        })
        .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e.to_string()))
    }

    /// Encrypt a plan file's bytes into the envelope.
    pub fn encrypt_plan(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        let Some((data, meta)) = self.seal(plain)? else {
            return Ok(plain.to_vec());
        };
        serde_json::to_vec(&PlanEnvelope {
            meta,
            encrypted_data: data,
            encryption_version: ENCRYPTION_VERSION,
        })
        .map_err(|e| EncryptionError::Encrypt(self.name.clone(), e.to_string()))
    }

    /// OpenTofu's `baseEncryption.decrypt`: plain data is accepted only if
    /// one of the methods is `unencrypted`; an envelope is tried with each
    /// method in order, the first that succeeds wins.
    fn open(
        &self,
        data: &[u8],
        validate: &dyn Fn(&[u8]) -> Result<(), String>,
    ) -> Result<(Vec<u8>, Status), EncryptionError> {
        let parsed = serde_json::from_slice::<Incoming>(data);
        let version = parsed
            .as_ref()
            .ok()
            .and_then(|i| i.encryption_version.clone())
            .unwrap_or_default();
        if version.is_empty() {
            if let Err(v) = validate(data) {
                return Err(EncryptionError::Invalid(match &parsed {
                    Err(e) => format!("invalid data format for decryption: {e}, {v}"),
                    Ok(_) => format!("unable to determine data structure during decryption: {v}"),
                }));
            }
            if !self
                .methods
                .iter()
                .any(|m| matches!(**m, Method::Unencrypted))
            {
                return Err(EncryptionError::Unencrypted);
            }
            let status = if matches!(
                self.methods.first().map(|m| &**m),
                Some(Method::Unencrypted)
            ) {
                Status::Satisfied
            } else {
                Status::Migration
            };
            return Ok((data.to_vec(), status));
        }
        let incoming = parsed.unwrap_or_default();
        if version != ENCRYPTION_VERSION {
            return Err(EncryptionError::Version(version));
        }
        let meta = incoming.meta.unwrap_or_default();
        let payload = b64()
            .decode(incoming.encrypted_data.unwrap_or_default())
            .map_err(|e| {
                EncryptionError::Invalid(format!(
                    "invalid data format for decryption: encrypted_data is not base64: {e}"
                ))
            })?;
        let mut errs = vec![];
        for (i, m) in self.methods.iter().enumerate() {
            let Method::AesGcm { keys, aad, .. } = &**m else {
                continue;
            };
            let stored = match meta.get(&keys.meta_key) {
                Some(s) => Some(b64().decode(s).map_err(|e| EncryptionError::Key {
                    summary: "Unable to decode encrypted metadata (did you change your encryption config?)".into(),
                    detail: format!("metadata decoder for {} failed with error: {e}", keys.meta_key),
                })?),
                None => None,
            };
            let key = keys.decryption_key(stored.as_deref())?;
            let r = match key {
                None => Err("no decryption key available".to_string()),
                Some(k) => aes_gcm_open(&k, &payload, aad),
            };
            match r {
                Ok(plain) => {
                    let status = if i == 0 {
                        Status::Satisfied
                    } else {
                        Status::Migration
                    };
                    return Ok((plain, status));
                }
                Err(e) => errs.push(format!(
                    "attempted decryption failed for {}: {e}",
                    self.name
                )),
            }
        }
        Err(EncryptionError::AllMethodsFailed(errs))
    }

    /// Decrypt a state (envelope or, where allowed, plain JSON).
    pub fn decrypt_state(&self, data: &[u8]) -> Result<(Vec<u8>, Status), EncryptionError> {
        let (plain, status) = self.open(data, &validate_state)?;
        // The copies of serial and lineage outside the ciphertext must agree
        // with the state inside (OpenTofu's internal/encryption/state.go).
        #[derive(Deserialize, Default)]
        struct Pass {
            #[serde(default)]
            serial: Option<serde_json::Value>,
            #[serde(default)]
            lineage: Option<String>,
        }
        let outer: Pass = serde_json::from_slice(data).unwrap_or_default();
        let inner: Pass = serde_json::from_slice(&plain).map_err(|e| {
            EncryptionError::Invalid(format!("the decrypted state is not JSON: {e}"))
        })?;
        if let (Some(a), Some(b)) = (&outer.serial, &inner.serial) {
            if !a.is_null() && !b.is_null() && a != b {
                return Err(EncryptionError::Mismatch(format!(
                    "invalid state metadata, serial field mismatch {a} vs {b}"
                )));
            }
        }
        if let Some(a) = outer.lineage.as_deref().filter(|l| !l.is_empty()) {
            if inner.lineage.as_deref() != Some(a) {
                return Err(EncryptionError::Mismatch(format!(
                    "invalid state metadata, linage field mismatch {a} vs {}",
                    inner.lineage.unwrap_or_default()
                )));
            }
        }
        Ok((plain, status))
    }

    /// Decrypt a plan file's bytes.
    pub fn decrypt_plan(&self, data: &[u8]) -> Result<(Vec<u8>, Status), EncryptionError> {
        self.open(data, &validate_plan)
    }
}

fn validate_state(data: &[u8]) -> Result<(), String> {
    #[derive(Deserialize)]
    struct V {
        #[serde(default)]
        terraform_version: String,
    }
    let v: V = serde_json::from_slice(data).map_err(|e| e.to_string())?;
    if v.terraform_version.is_empty() {
        return Err("Given payload is not a state file".into());
    }
    Ok(())
}

/// herd's plan files are gzip (or, read only, plain JSON); OpenTofu's are
/// zip archives and it checks for `PK` here.
fn validate_plan(data: &[u8]) -> Result<(), String> {
    if data.starts_with(&[0x1f, 0x8b]) || data.first() == Some(&b'{') {
        Ok(())
    } else {
        Err("Invalid plan file".into())
    }
}

/// The encryption of one command: each target is `None` when the
/// configuration has no block for it (then data passes through unencrypted).
#[derive(Debug, Default)]
pub struct Encryption {
    pub state: Option<Target>,
    pub plan: Option<Target>,
    pub remote_default: Option<Target>,
    pub remotes: BTreeMap<String, Target>,
}

const STATE_ENCRYPTED: &str =
    "This state file is encrypted and can not be read without an encryption configuration";
const PLAN_ENCRYPTED: &str =
    "the given plan file is encrypted and requires a valid encryption configuration to decrypt";

fn passthrough(data: &[u8], what: &'static str) -> Result<(Vec<u8>, Status), EncryptionError> {
    if is_encrypted(data) {
        return Err(EncryptionError::Encrypted(what));
    }
    Ok((data.to_vec(), Status::Satisfied))
}

impl Encryption {
    pub fn encrypt_state(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        match &self.state {
            Some(t) => t.encrypt_state(plain),
            None => Ok(plain.to_vec()),
        }
    }
    pub fn decrypt_state(&self, data: &[u8]) -> Result<(Vec<u8>, Status), EncryptionError> {
        match &self.state {
            Some(t) => t.decrypt_state(data),
            None => passthrough(data, STATE_ENCRYPTED),
        }
    }
    pub fn encrypt_plan(&self, plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
        match &self.plan {
            Some(t) => t.encrypt_plan(plain),
            None => Ok(plain.to_vec()),
        }
    }
    pub fn decrypt_plan(&self, data: &[u8]) -> Result<(Vec<u8>, Status), EncryptionError> {
        match &self.plan {
            Some(t) => t.decrypt_plan(data),
            None => passthrough(data, PLAN_ENCRYPTED),
        }
    }
    /// Decrypt the state a `terraform_remote_state` data source reads:
    /// `name` is its address without `data.terraform_remote_state.` and the
    /// leading `module.` (`foo`, `foo[0]`, `mod.foo`), as in OpenTofu.
    pub fn decrypt_remote_state(
        &self,
        name: &str,
        data: &[u8],
    ) -> Result<Vec<u8>, EncryptionError> {
        match self.remotes.get(name).or(self.remote_default.as_ref()) {
            Some(t) => t.decrypt_state(data).map(|(d, _)| d),
            None => passthrough(data, STATE_ENCRYPTED).map(|(d, _)| d),
        }
    }
}

// ---------------------------------------------------------------------------
// The encryption of the running command.

fn active_slot() -> &'static RwLock<Option<Arc<Encryption>>> {
    static A: OnceLock<RwLock<Option<Arc<Encryption>>>> = OnceLock::new();
    A.get_or_init(Default::default)
}

/// Make `enc` the encryption the free functions (and so the state and plan
/// files) use for the rest of the process.
pub fn install(enc: Encryption) {
    *active_slot().write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(enc));
}

fn active() -> Arc<Encryption> {
    active_slot()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default()
}

pub fn encrypt_state(plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    active().encrypt_state(plain)
}
pub fn decrypt_state(data: &[u8]) -> Result<(Vec<u8>, Status), EncryptionError> {
    active().decrypt_state(data)
}
pub fn encrypt_plan(plain: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    active().encrypt_plan(plain)
}
pub fn decrypt_plan(data: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    active().decrypt_plan(data).map(|(d, _)| d)
}
pub fn decrypt_remote_state(name: &str, data: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    active().decrypt_remote_state(name, data)
}

fn pending() -> &'static Mutex<HashSet<PathBuf>> {
    static P: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    P.get_or_init(Default::default)
}

fn path_key(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .join(path.file_name().unwrap_or_default())
}

/// [`decrypt_state`] for the state file at `path`, remembering when it was
/// read with a fallback so that the next save rewrites it even if the
/// state did not change ([`rewrite_pending`]).
pub fn decrypt_state_file(path: &Path, data: &[u8]) -> Result<Vec<u8>, EncryptionError> {
    let (plain, status) = decrypt_state(data)?;
    if status == Status::Migration {
        pending()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path_key(path));
    }
    Ok(plain)
}

/// The state at `path` was written (with the primary method): no rewrite
/// is pending any more.
pub fn state_written(path: &Path) {
    pending()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&path_key(path));
}

/// Was the state at `path` read with a fallback method (a migration to the
/// primary method that still has to be written)?
pub fn rewrite_pending(path: &Path) -> bool {
    pending()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&path_key(path))
}

#[cfg(test)]
mod tests;

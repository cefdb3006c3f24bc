//! Module installation for `init`, as `terraform init` does it: walk the
//! module calls from the root, resolve each source (local paths relative to
//! the calling module, registry addresses through the registry protocol with
//! version constraints, go-getter addresses through git or HTTP), put each
//! remote module key's package in its own `.terraform/modules/<key>`, recurse
//! into the installed modules' own calls, and record everything in
//! `.terraform/modules/modules.json`. Modules already installed from the same
//! source (and, for registry modules, at a version that still matches) are
//! kept unless `-upgrade` is given. A package is fetched into a temporary
//! directory and moved into place only once complete, so a failed download
//! leaves nothing half-installed.

pub mod cliconfig;
pub mod getter;
mod http;
pub mod manifest;
pub mod registry;
pub mod source;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{join_lexically, Loader, Module, ModuleCall};
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::version::{Constraints, Version};
use manifest::{Manifest, Record};
use source::Source;

/// Where `init` puts remote module packages, relative to the root module.
pub const MODULES_DIR: &str = ".terraform/modules";

#[derive(Clone, Debug, Default)]
pub struct InstallOptions {
    /// `-upgrade`: fetch every remote module again, choosing the newest
    /// acceptable registry version.
    pub upgrade: bool,
}

/// Install the modules the configuration in `root` calls, printing
/// Terraform's progress lines to `out`. Prints nothing when the root module
/// calls no modules.
pub fn install(
    root: &Path,
    opts: &InstallOptions,
    sources: &Sources,
    out: &mut dyn Write,
) -> Diagnostics {
    let mut loader = Loader::new(root, sources.clone());
    loader.shallow = true;
    let (module, mut diags) = loader.load(root);
    if diags.has_errors() || module.module_calls.is_empty() {
        return diags;
    }
    let _ = writeln!(
        out,
        "{}",
        if opts.upgrade {
            "Upgrading modules..."
        } else {
            "Initializing modules..."
        }
    );
    let old = match Manifest::read(root) {
        Ok(m) => m.unwrap_or_default(),
        Err(e) => {
            // A broken manifest is replaced: everything is installed afresh.
            diags.push(Diagnostic::warning(
                "Module manifest replaced",
                format!("{e}; installing all modules again."),
            ));
            Manifest::default()
        }
    };
    let mut inst = Installer {
        root: root.to_path_buf(),
        upgrade: opts.upgrade,
        old,
        new: Manifest::default(),
        sources: sources.clone(),
        out,
        http: None,
        config: None,
        diags: Diagnostics::new(),
        stack: Vec::new(),
    };
    inst.new.put(Record {
        key: String::new(),
        source: String::new(),
        version: None,
        dir: ".".into(),
    });
    inst.walk(".", &[], &module);
    let failed = inst.diags.has_errors();
    let mut manifest = inst.new;
    if failed {
        // Keep the records of modules that were not reinstalled, so every
        // record still describes what its directory holds.
        for r in &inst.old.modules {
            if manifest.get(&r.key).is_none() && root.join(&r.dir).is_dir() {
                manifest.put(r.clone());
            }
        }
    }
    if let Err(e) = manifest.write(root) {
        inst.diags.push(Diagnostic::error(
            "Failed to update module manifest",
            e.to_string(),
        ));
    }
    diags.extend(inst.diags);
    diags
}

struct Installer<'a> {
    root: PathBuf,
    upgrade: bool,
    old: Manifest,
    new: Manifest,
    sources: Sources,
    out: &'a mut dyn Write,
    http: Option<http::HttpClient>,
    config: Option<cliconfig::CliConfig>,
    diags: Diagnostics,
    /// Canonical directories of the modules being walked, outermost first.
    stack: Vec<PathBuf>,
}

/// `a/b` with `/` separators, as `modules.json` writes directories.
fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

impl Installer<'_> {
    fn say(&mut self, line: String) {
        let _ = writeln!(self.out, "{line}");
    }

    fn location(&self, call: &ModuleCall) -> String {
        match &call.range {
            Some(r) => {
                let s = crate::diag::short_location(r, &self.sources);
                // FILE:LINE, as Terraform writes it in these messages.
                match s.rsplit_once(':') {
                    Some((a, _)) => a.to_string(),
                    None => s,
                }
            }
            None => "?".into(),
        }
    }

    fn http(&mut self) -> Result<&mut http::HttpClient, String> {
        if self.http.is_none() {
            self.http = Some(http::HttpClient::new().map_err(|e| e.to_string())?);
        }
        Ok(self.http.as_mut().expect("just set"))
    }

    fn cli_config(&mut self) -> cliconfig::CliConfig {
        if self.config.is_none() {
            let (c, warnings) = cliconfig::CliConfig::load();
            for w in warnings {
                self.diags.push(Diagnostic::warning(
                    "Invalid CLI configuration",
                    format!("The CLI configuration could not be read: {w}."),
                ));
            }
            self.config = Some(c);
        }
        self.config.clone().unwrap_or_default()
    }

    /// Walk the calls of `module`, whose directory is `dir` (relative to
    /// the root), installing and recursing.
    fn walk(&mut self, dir: &str, prefix: &[String], module: &Module) {
        let canon =
            std::fs::canonicalize(self.root.join(dir)).unwrap_or_else(|_| PathBuf::from(dir));
        self.stack.push(canon);
        let mut names: Vec<&String> = module.module_calls.keys().collect();
        names.sort();
        for name in names {
            let call = &module.module_calls[name];
            if call.source.is_empty() {
                continue;
            }
            let mut key_parts = prefix.to_vec();
            key_parts.push(name.clone());
            if key_parts.len() > 64 {
                self.diags.push(
                    Diagnostic::error(
                        "Module nesting too deep",
                        "Modules are nested more than 64 levels deep.",
                    )
                    .at(call.range.clone()),
                );
                continue;
            }
            let key = key_parts.join(".");
            let Some(child_dir) = self.install_call(dir, &key, call) else {
                continue;
            };
            let phys = self.root.join(&child_dir);
            if !phys.is_dir() {
                self.diags.push(
                    Diagnostic::error(
                        "Unreadable module directory",
                        format!(
                            "The directory {} does not exist or cannot be read.",
                            slash(&phys)
                        ),
                    )
                    .at(call.range.clone()),
                );
                continue;
            }
            let canon = std::fs::canonicalize(&phys).unwrap_or_else(|_| phys.clone());
            if self.stack.contains(&canon) {
                self.diags.push(
                    Diagnostic::error(
                        "Module calls itself",
                        format!(
                            "The module call {name:?} refers to the directory {}, which is already being loaded by this module or one of its callers: a module cannot call itself, directly or through other modules.",
                            slash(&phys)
                        ),
                    )
                    .at(call.range.clone()),
                );
                continue;
            }
            let mut loader = Loader::new(&self.root, self.sources.clone());
            loader.shallow = true;
            let (child, d) = loader.load(&phys);
            let bad = d.has_errors();
            self.diags.extend(d);
            if !bad {
                self.walk(&child_dir, &key_parts, &child);
            }
        }
        self.stack.pop();
    }

    /// Install one call; returns its directory relative to the root.
    fn install_call(&mut self, dir: &str, key: &str, call: &ModuleCall) -> Option<String> {
        let range = call.range.clone();
        let src = match source::parse(&call.source) {
            Ok(s) => s,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid module source address",
                        format!("Failed to parse module source address: {e}"),
                    )
                    .at(range),
                );
                return None;
            }
        };
        let constraint = match call.version.as_deref() {
            None => None,
            Some(_) if !matches!(src, Source::Registry(_)) => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid version constraint",
                        format!(
                            "Cannot apply a version constraint to module {:?} (at {}) because it doesn't come from a module registry.",
                            call.name,
                            self.location(call)
                        ),
                    )
                    .at(range),
                );
                return None;
            }
            Some(v) => {
                match Constraints::parse(v) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        self.diags.push(
                        Diagnostic::error(
                            "Invalid version constraint",
                            format!("This string does not use correct version constraint syntax: {e}."),
                        )
                        .at(range),
                    );
                        return None;
                    }
                }
            }
        };
        let src_str = src.to_string();
        let old = self.old.get(key).cloned();
        match &src {
            Source::Local(p) => {
                let child = slash(&join_lexically(Path::new(dir), p));
                let rec = Record {
                    key: key.to_string(),
                    source: src_str,
                    version: None,
                    dir: child.clone(),
                };
                if self.upgrade || old.as_ref() != Some(&rec) {
                    self.say(format!("- {key} in {child}"));
                }
                self.new.put(rec);
                Some(child)
            }
            Source::Registry(r) => {
                if let Some(o) = old.as_ref().filter(|o| {
                    !self.upgrade
                        && o.source == src_str
                        && self.root.join(&o.dir).is_dir()
                        && o.version.as_deref().is_some_and(|v| {
                            Version::parse(v)
                                .is_ok_and(|v| constraint.as_ref().is_none_or(|c| c.check(&v)))
                        })
                }) {
                    self.new.put(o.clone());
                    return Some(o.dir.clone());
                }
                let (version, location) = self.resolve_registry(call, r, constraint.as_ref())?;
                self.say(format!(
                    "Downloading {} {} for {key}...",
                    r.package(),
                    version
                ));
                let (pkg, inner) = match source::parse(&location) {
                    Ok(Source::Remote(s)) => {
                        let inner = s.subdir.clone();
                        (
                            source::RemoteSource {
                                subdir: String::new(),
                                ..s
                            },
                            inner,
                        )
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid response from remote module registry",
                                format!(
                                    "The registry at {} returned the download location {location:?} for module {:?} ({}), which is not a supported source address.",
                                    r.host,
                                    call.name,
                                    self.location(call)
                                ),
                            )
                            .at(range),
                        );
                        return None;
                    }
                };
                let sub = [inner.as_str(), r.subdir.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/");
                let dir = self.fetch_package(call, key, &pkg, &src_str, &sub)?;
                self.new.put(Record {
                    key: key.to_string(),
                    source: src_str,
                    version: Some(version.to_string()),
                    dir: dir.clone(),
                });
                Some(dir)
            }
            Source::Remote(r) => {
                if let Some(o) = old.as_ref().filter(|o| {
                    !self.upgrade && o.source == src_str && self.root.join(&o.dir).is_dir()
                }) {
                    self.new.put(o.clone());
                    return Some(o.dir.clone());
                }
                self.say(format!("Downloading {} for {key}...", r.package()));
                let pkg = source::RemoteSource {
                    subdir: String::new(),
                    ..r.clone()
                };
                let dir = self.fetch_package(call, key, &pkg, &src_str, &r.subdir)?;
                self.new.put(Record {
                    key: key.to_string(),
                    source: src_str,
                    version: None,
                    dir: dir.clone(),
                });
                Some(dir)
            }
        }
    }

    /// Choose the registry version and find its download location.
    fn resolve_registry(
        &mut self,
        call: &ModuleCall,
        r: &source::RegistrySource,
        constraint: Option<&Constraints>,
    ) -> Option<(Version, String)> {
        let range = call.range.clone();
        let loc = self.location(call);
        let config = self.cli_config();
        let http = match self.http() {
            Ok(h) => h,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error("Failed to start the HTTP client", e).at(range));
                return None;
            }
        };
        let mut reg = registry::Registry {
            http,
            config: &config,
        };
        let versions = match reg.versions(r) {
            Ok(v) => v,
            Err(registry::RegistryError::NotFound) => {
                self.diags.push(
                    Diagnostic::error(
                        "Module not found",
                        format!(
                            "Module {:?} (from {loc}) cannot be found in the module registry at {}.",
                            call.name, r.host
                        ),
                    )
                    .at(range),
                );
                return None;
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Error accessing remote module registry",
                        format!(
                            "Failed to retrieve available versions for module {:?} ({loc}) from {}: {e}.",
                            call.name, r.host
                        ),
                    )
                    .at(range),
                );
                return None;
            }
        };
        let any = Constraints::default();
        let chosen = constraint.unwrap_or(&any).newest(&versions).cloned();
        let Some(version) = chosen else {
            let newest = versions.iter().filter(|v| !v.is_prerelease()).max();
            let detail = match newest {
                Some(n) => format!(
                    "There is no available version of module {:?} ({loc}) which matches the given version constraint. The newest available version is {n}.",
                    call.name
                ),
                None => format!(
                    "There is no available version of module {:?} ({loc}) which matches the given version constraint: the registry lists no versions.",
                    call.name
                ),
            };
            self.diags.push(
                Diagnostic::error("Unresolvable module version constraint", detail).at(range),
            );
            return None;
        };
        match reg.download_url(r, &version) {
            Ok(l) => Some((version, l)),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Error accessing remote module registry",
                        format!(
                            "Failed to retrieve a download URL for {} {version} from {}: {e}",
                            r.package(),
                            r.host
                        ),
                    )
                    .at(range),
                );
                None
            }
        }
    }

    /// Fetch `pkg` into `.terraform/modules/<key>` (through a temporary
    /// directory); returns the module's directory relative to the root.
    fn fetch_package(
        &mut self,
        call: &ModuleCall,
        key: &str,
        pkg: &source::RemoteSource,
        display: &str,
        subdir: &str,
    ) -> Option<String> {
        let modules = self.root.join(MODULES_DIR);
        let final_dir = modules.join(key);
        let tmp = modules.join(format!(".herd-tmp-{key}"));
        let fail = |this: &mut Self, msg: String| {
            let _ = std::fs::remove_dir_all(&tmp);
            this.diags.push(
                Diagnostic::error(
                    "Failed to download module",
                    format!(
                        "Could not download module {:?} ({}) source code from {display:?}: {msg}",
                        call.name,
                        this.location(call)
                    ),
                )
                .at(call.range.clone()),
            );
            None
        };
        if let Err(e) = std::fs::create_dir_all(&modules) {
            return fail(self, e.to_string());
        }
        let _ = std::fs::remove_dir_all(&tmp);
        let res = match self.http() {
            Ok(h) => getter::fetch(pkg, &tmp, h).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Err(e) = res {
            return fail(self, e);
        }
        if !subdir.is_empty() && !tmp.join(subdir).is_dir() {
            return fail(self, format!("the package has no subdirectory {subdir:?}"));
        }
        if final_dir.exists() {
            if let Err(e) = std::fs::remove_dir_all(&final_dir) {
                return fail(self, format!("could not remove the previous copy: {e}"));
            }
        }
        if let Err(e) = std::fs::rename(&tmp, &final_dir) {
            return fail(self, e.to_string());
        }
        let mut rel = format!("{MODULES_DIR}/{key}");
        if !subdir.is_empty() {
            rel = format!("{rel}/{subdir}");
        }
        self.say(format!("- {key} in {rel}"));
        Some(rel)
    }
}

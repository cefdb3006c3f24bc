//! Static loading of configuration: every `*.tf` / `*.tf.json` file of a
//! module directory is parsed with `hcl-edit` into a [`Module`] whose
//! expressions stay *unevaluated*, each with its source range, so that
//! validate, plan, apply and console share one evaluator (`lang::eval`).

pub mod encryption;
mod json;
pub mod resource;
pub mod typeexpr;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use crate::diag::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::types::Type;

/// An unevaluated expression and the file it came from.
#[derive(Clone, Debug)]
pub struct Expr {
    pub expr: Expression,
    pub file: Arc<str>,
}

impl Expr {
    pub fn range(&self) -> Option<SourceRange> {
        range_of(&self.file, self.expr.span())
    }
    pub fn range_of(&self, e: &Expression) -> Option<SourceRange> {
        range_of(&self.file, e.span())
    }
}

pub fn range_of(file: &Arc<str>, span: Option<std::ops::Range<usize>>) -> Option<SourceRange> {
    span.map(|s| SourceRange {
        file: file.clone(),
        start: s.start,
        end: s.end,
    })
}

#[derive(Clone, Debug)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub ty: Type,
    pub has_type: bool,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
}

#[derive(Clone, Debug)]
pub struct Check {
    pub condition: Expr,
    pub error_message: Expr,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub value: Option<Expr>,
    pub sensitive: bool,
    pub description: Option<String>,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Check>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub version: Option<String>,
    pub inputs: IndexMap<String, Expr>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub providers: Option<Expr>,
    pub range: Option<SourceRange>,
    /// The loaded child module (local sources only).
    pub module: Option<Arc<Module>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceMode {
    Managed,
    Data,
}

/// A `resource` or `data` block, kept unevaluated for the engine.
#[derive(Clone, Debug)]
pub struct ResourceBlock {
    pub mode: ResourceMode,
    pub ty: String,
    pub name: String,
    pub body: Body,
    pub file: Arc<str>,
    pub range: Option<SourceRange>,
    pub meta: resource::ResourceMeta,
}

/// A `provider` block, kept for the AWS provider.
#[derive(Clone, Debug)]
pub struct ProviderBlock {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub file: Arc<str>,
    pub range: Option<SourceRange>,
}

/// A `terraform` block's settings.
#[derive(Clone, Debug, Default)]
pub struct TerraformSettings {
    pub required_version: Option<String>,
    pub backend: Option<(String, Body)>,
    /// Where the `backend "NAME"` block header is, for diagnostics.
    pub backend_range: Option<SourceRange>,
    pub required_providers: BTreeMap<String, Option<String>>,
    /// Each `required_version`, with where it is written.
    pub version_constraints: Vec<(String, Option<SourceRange>)>,
    /// `required_providers` version constraints: local name, source, constraint, range.
    pub provider_versions: Vec<(String, Option<String>, String, Option<SourceRange>)>,
    /// OpenTofu's `encryption` block (state and plan encryption).
    pub encryption: Option<encryption::EncryptionConfig>,
}

/// One module directory.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub variables: IndexMap<String, Variable>,
    pub locals: IndexMap<String, Local>,
    pub outputs: IndexMap<String, Output>,
    pub module_calls: IndexMap<String, ModuleCall>,
    pub resources: Vec<ResourceBlock>,
    pub providers: Vec<ProviderBlock>,
    pub terraform: TerraformSettings,
    pub moved: Vec<resource::Moved>,
    pub imports: Vec<resource::Import>,
    pub removed: Vec<resource::Removed>,
    /// Other top-level blocks (check), kept raw.
    pub other_blocks: Vec<(Block, Arc<str>)>,
}

/// Loads modules and records their source text for diagnostics.
pub struct Loader {
    pub sources: Sources,
    /// Directory that file names in diagnostics are shown relative to.
    pub base: PathBuf,
    /// Load only the given directory, not its child modules (the module
    /// installer walks the tree itself).
    pub shallow: bool,
    /// The root module's directory (what `modules.json` paths are relative to).
    root: Option<PathBuf>,
    manifest: Option<crate::modules::manifest::Manifest>,
    /// Canonical directories of the modules being loaded, outermost first.
    stack: Vec<PathBuf>,
    /// The module key (`vpc.sub`) of the module being loaded.
    key: Vec<String>,
}

impl Loader {
    pub fn new(base: &Path, sources: Sources) -> Loader {
        Loader {
            sources,
            base: base.to_path_buf(),
            shallow: false,
            root: None,
            manifest: None,
            stack: Vec::new(),
            key: Vec::new(),
        }
    }

    /// Load the module in `dir` and, recursively, its child modules: local
    /// sources relative to the calling module's directory, remote ones from
    /// where `init` installed them (`.terraform/modules/modules.json`).
    pub fn load(&mut self, dir: &Path) -> (Module, Diagnostics) {
        if self.root.is_some() {
            return self.load_tree(dir);
        }
        self.root = Some(dir.to_path_buf());
        let mut pre = Diagnostics::new();
        if !self.shallow {
            match crate::modules::manifest::Manifest::read(dir) {
                Ok(m) => self.manifest = m,
                Err(e) => pre.push(Diagnostic::error(
                    "Failed to read module manifest",
                    format!("{e}. Run \"terraform init\" to reinstall the modules."),
                )),
            }
        }
        let (m, mut d) = self.load_tree(dir);
        self.root = None;
        pre.extend(std::mem::take(&mut d));
        (m, pre)
    }

    fn load_tree(&mut self, dir: &Path) -> (Module, Diagnostics) {
        let (mut m, mut diags) = self.load_files(dir);
        if self.shallow {
            return (m, diags);
        }
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        self.stack.push(canonical);
        let calls: Vec<String> = m.module_calls.keys().cloned().collect();
        for name in calls {
            let call = &m.module_calls[&name];
            let (src, version, range) = (
                call.source.clone(),
                call.version.clone(),
                call.range.clone(),
            );
            if src.is_empty() {
                continue;
            }
            let mut key = self.key.clone();
            key.push(name.clone());
            let key = key.join(".");
            let child_dir = match self.child_dir(dir, &key, &src, version.as_deref()) {
                Ok(d) => d,
                Err(d) => {
                    diags.push(d.at(range));
                    continue;
                }
            };
            if !child_dir.is_dir() {
                diags.push(
                    Diagnostic::error(
                        "Unreadable module directory",
                        format!(
                            "The directory {} does not exist or cannot be read.",
                            child_dir.display()
                        ),
                    )
                    .at(range),
                );
                continue;
            }
            let canon = std::fs::canonicalize(&child_dir).unwrap_or_else(|_| child_dir.clone());
            if self.stack.contains(&canon) {
                diags.push(
                    Diagnostic::error(
                        "Module calls itself",
                        format!(
                            "The module call {name:?} refers to the directory {}, which is already being loaded by this module or one of its callers: a module cannot call itself, directly or through other modules.",
                            child_dir.display()
                        ),
                    )
                    .at(range),
                );
                continue;
            }
            if self.key.len() >= 64 {
                diags.push(
                    Diagnostic::error(
                        "Module nesting too deep",
                        "Modules are nested more than 64 levels deep.",
                    )
                    .at(range),
                );
                continue;
            }
            self.key.push(name.clone());
            let (child, d) = self.load_tree(&child_dir);
            self.key.pop();
            diags.extend(d);
            m.module_calls[&name].module = Some(Arc::new(child));
        }
        self.stack.pop();
        (m, diags)
    }

    /// Where the module called as `key` with source `src` lives.
    fn child_dir(
        &self,
        dir: &Path,
        key: &str,
        src: &str,
        version: Option<&str>,
    ) -> Result<PathBuf, Diagnostic> {
        use crate::modules::source::{self, Source};
        let parsed = source::parse(src).map_err(|e| {
            Diagnostic::error(
                "Invalid module source address",
                format!("Failed to parse module source address: {e}"),
            )
        })?;
        if let Source::Local(p) = &parsed {
            return Ok(join_lexically(dir, p));
        }
        let not_installed = || {
            Diagnostic::error(
                "Module not installed",
                "This module is not yet installed. Run \"terraform init\" to install all modules required by this configuration.",
            )
        };
        let rec = self
            .manifest
            .as_ref()
            .and_then(|m| m.get(key))
            .ok_or_else(not_installed)?;
        if rec.source != parsed.to_string() && rec.source != src {
            return Err(Diagnostic::error(
                "Module source has changed",
                "The source address was changed since this module was installed. Run \"terraform init\" to install all modules required by this configuration.",
            ));
        }
        if let (Some(c), Some(v)) = (version, rec.version.as_deref()) {
            if !crate::version::Constraints::matches(c, v).unwrap_or(true) {
                return Err(Diagnostic::error(
                    "Module version requirements have changed",
                    format!("The version requirements have changed since this module was installed and the installed version ({v}) is no longer acceptable. Run \"terraform init\" to install all modules required by this configuration."),
                ));
            }
        }
        let root = self.root.clone().unwrap_or_default();
        Ok(join_lexically(&root, &rec.dir))
    }

    /// Parse the configuration files of one module directory.
    fn load_files(&mut self, dir: &Path) -> (Module, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut m = Module {
            dir: dir.to_path_buf(),
            ..Default::default()
        };
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    (n.ends_with(".tf") || n.ends_with(".tf.json"))
                        && !n.starts_with('.')
                        && !n.ends_with("_override.tf")
                        && n != "override.tf"
                        && p.is_file()
                })
                .collect(),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read module directory",
                    format!(
                        "Module directory {} does not exist or cannot be read: {e}.",
                        dir.display()
                    ),
                ));
                return (m, diags);
            }
        };
        files.sort();
        for f in files {
            let name = crate::diag::display_path(&self.base, &f);
            let text = match std::fs::read(&f) {
                Ok(b) => match String::from_utf8(b) {
                    Ok(s) => s,
                    Err(_) => {
                        diags.push(Diagnostic::error(
                            "Invalid file encoding",
                            format!("The file {name} is not valid UTF-8. Configuration files must be UTF-8 encoded."),
                        ));
                        continue;
                    }
                },
                Err(e) => {
                    diags.push(Diagnostic::error(
                        "Failed to read file",
                        format!("The file {name} could not be read: {e}."),
                    ));
                    continue;
                }
            };
            let (body, file) = if name.ends_with(".json") {
                match json::json_to_hcl(&text) {
                    Ok(hcl) => {
                        let file = self.sources.add(&name, &hcl);
                        match hcl_edit::parser::parse_body(&hcl) {
                            Ok(b) => (b, file),
                            Err(e) => {
                                diags.push(Diagnostic::error(
                                    "Invalid JSON configuration",
                                    e.message().to_string(),
                                ));
                                continue;
                            }
                        }
                    }
                    Err(e) => {
                        let file = self.sources.add(&name, &text);
                        diags.push(Diagnostic::error("Invalid JSON configuration", e.msg).at(
                            Some(SourceRange {
                                file,
                                start: e.offset,
                                end: e.offset,
                            }),
                        ));
                        continue;
                    }
                }
            } else {
                let text = widen_big_integers(&text).unwrap_or(text);
                let file = self.sources.add(&name, &text);
                match parse_hcl_source(&text, &file) {
                    Ok((b, rewritten)) => {
                        if let Some(t) = rewritten {
                            self.sources.add(&name, &t);
                        }
                        (b, file)
                    }
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                }
            };
            self.load_body(&mut m, &body, &file, &mut diags);
        }
        self.check_versions(&m, &mut diags);
        (m, diags)
    }

    /// `required_version` against the Terraform language version herd
    /// implements, and `required_providers` constraints on hashicorp/aws
    /// against the provider version herd's schemas follow.
    fn check_versions(&self, m: &Module, diags: &mut Diagnostics) {
        use crate::version::{Constraints, Version, AWS_PROVIDER_VERSION, TERRAFORM_VERSION};
        for (c, range) in &m.terraform.version_constraints {
            let ok = match Constraints::parse(c) {
                Ok(cs) => cs.check(&Version::parse(TERRAFORM_VERSION).expect("valid version")),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(
                            "Invalid required_version constraint",
                            format!("{e}. A version constraint is a comma-separated list of an operator (=, !=, >, >=, <, <=, ~>) and a version, such as \">= 1.5.0, < 2.0.0\"."),
                        )
                        .at(range.clone()),
                    );
                    continue;
                }
            };
            if !ok {
                diags.push(
                    Diagnostic::error(
                        "Unsupported Terraform Core version",
                        format!("This configuration does not support Terraform version {TERRAFORM_VERSION}. To proceed, either choose another supported Terraform version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior."),
                    )
                    .at(range.clone()),
                );
            }
        }
        // The installer's shallow loads leave provider constraints to the
        // full load after it, as Terraform checks them after installing modules.
        let providers = if self.shallow {
            &[][..]
        } else {
            &m.terraform.provider_versions[..]
        };
        for (name, src, c, range) in providers {
            let is_aws = match src.as_deref() {
                Some(s) => {
                    let s = s.to_ascii_lowercase();
                    s == "hashicorp/aws" || s == "registry.terraform.io/hashicorp/aws"
                }
                None => name == "aws",
            };
            if !is_aws {
                continue;
            }
            match Constraints::parse(c) {
                Ok(cs) if cs.check(&Version::parse(AWS_PROVIDER_VERSION).expect("valid version")) => {}
                // A warning, not Terraform's error: the provider is built in,
                // so there is no other version to choose, and current module
                // releases ask for `>= 6` while most of what they use is
                // already in 5.100.0 (what is not is reported where it is used).
                Ok(_) => diags.push(
                    Diagnostic::warning(
                        "Provider version constraint not met",
                        format!("The configuration requires hashicorp/aws {c}, but herd has hashicorp/aws built in, following version {AWS_PROVIDER_VERSION} of the provider; no available releases match the given constraints. herd goes on with {AWS_PROVIDER_VERSION}: an argument, attribute or resource type it does not know is reported where the configuration uses it."),
                    )
                    .at(range.clone()),
                ),
                Err(e) => diags.push(
                    Diagnostic::error(
                        "Invalid version constraint",
                        format!("This string does not use correct version constraint syntax: {e}."),
                    )
                    .at(range.clone()),
                ),
            }
        }
    }

    fn load_body(&mut self, m: &mut Module, body: &Body, file: &Arc<str>, diags: &mut Diagnostics) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "An argument named {:?} is not expected here.",
                            a.key.as_str()
                        ),
                    )
                    .at(range_of(file, a.span())),
                ),
                Structure::Block(b) => self.load_block(m, b, file, diags),
            }
        }
    }

    fn load_block(&mut self, m: &mut Module, b: &Block, file: &Arc<str>, diags: &mut Diagnostics) {
        let kind = b.ident.as_str();
        let labels: Vec<String> = b.labels.iter().map(|l| l.as_str().to_string()).collect();
        let range = range_of(file, b.ident.span()).map(|mut r| {
            // cover the block header
            if let Some(s) = b.span() {
                r.end = b.body.span().map(|bs| bs.start).unwrap_or(s.end).max(r.end);
            }
            r
        });
        let want_labels = match kind {
            "variable" | "output" | "module" | "provider" => 1,
            "resource" | "data" => 2,
            "locals" | "terraform" | "moved" | "import" | "removed" => 0,
            "check" => 1,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type {kind:?} are not expected here.{}",
                            suggest(
                                kind,
                                &[
                                    "variable",
                                    "output",
                                    "locals",
                                    "module",
                                    "resource",
                                    "data",
                                    "provider",
                                    "terraform",
                                    "moved",
                                    "import",
                                    "removed",
                                    "check"
                                ]
                            )
                        ),
                    )
                    .at(range),
                );
                return;
            }
        };
        if labels.len() != want_labels {
            let msg = if want_labels == 0 {
                format!("No labels are expected for {kind} blocks.")
            } else {
                format!("A {kind} block requires {want_labels} label(s).")
            };
            diags.push(
                Diagnostic::error(
                    if labels.len() < want_labels {
                        "Missing name for block"
                    } else {
                        "Extraneous label for block"
                    },
                    msg,
                )
                .at(range),
            );
            return;
        }
        for l in &labels {
            if want_labels > 0 && !is_valid_name(l) && kind != "resource" && kind != "data" {
                diags.push(Diagnostic::error(
                    "Invalid name",
                    format!("A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes; {l:?} is not valid."),
                ).at(range.clone()));
                return;
            }
        }
        match kind {
            "variable" => self.load_variable(m, &labels[0], b, file, range, diags),
            "locals" => {
                for s in b.body.iter() {
                    match s {
                        Structure::Attribute(a) => {
                            let name = a.key.as_str().to_string();
                            if m.locals.contains_key(&name) {
                                diags.push(
                                    Diagnostic::error(
                                        "Duplicate local value definition",
                                        format!("A local value named {name:?} was already defined. Local value names must be unique within a module."),
                                    )
                                    .at(range_of(file, a.span())),
                                );
                                continue;
                            }
                            m.locals.insert(
                                name.clone(),
                                Local {
                                    name,
                                    expr: Expr { expr: a.value.clone(), file: file.clone() },
                                },
                            );
                        }
                        Structure::Block(ib) => diags.push(
                            Diagnostic::error("Unexpected block", "Blocks are not allowed in a locals block; use attributes (name = value).")
                                .at(range_of(file, ib.span())),
                        ),
                    }
                }
            }
            "output" => self.load_output(m, &labels[0], b, file, range, diags),
            "module" => self.load_module_call(m, &labels[0], b, file, range, diags),
            "resource" | "data" => {
                let mode = if kind == "resource" {
                    ResourceMode::Managed
                } else {
                    ResourceMode::Data
                };
                if m.resources
                    .iter()
                    .any(|r| r.mode == mode && r.ty == labels[0] && r.name == labels[1])
                {
                    diags.push(Diagnostic::error(
                        if mode == ResourceMode::Managed { "Duplicate resource configuration" } else { "Duplicate data resource configuration" },
                        format!("A {kind} {:?} {:?} was already declared. Resource names must be unique per type in each module.", labels[0], labels[1]),
                    ).at(range));
                    return;
                }
                let source = self.sources.get(file).unwrap_or_else(|| Arc::from(""));
                let meta = resource::split_meta(&b.body, file, &source, diags);
                if meta.count.is_some() && meta.for_each.is_some() {
                    diags.push(Diagnostic::error(
                        "Invalid combination of \"count\" and \"for_each\"",
                        "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
                    ).at(range.clone()));
                }
                m.resources.push(ResourceBlock {
                    mode,
                    ty: labels[0].clone(),
                    name: labels[1].clone(),
                    body: b.body.clone(),
                    file: file.clone(),
                    range,
                    meta,
                });
            }
            "provider" => {
                let alias = attr(&b.body, "alias").and_then(|a| const_string(&a.value));
                m.providers.push(ProviderBlock {
                    name: labels[0].clone(),
                    alias,
                    body: b.body.clone(),
                    file: file.clone(),
                    range,
                });
            }
            "terraform" => {
                for s in b.body.iter() {
                    match s {
                        Structure::Attribute(a) if a.key.as_str() == "required_version" => {
                            m.terraform.required_version = const_string(&a.value);
                            if let Some(v) = const_string(&a.value) {
                                m.terraform
                                    .version_constraints
                                    .push((v, range_of(file, a.value.span())));
                            }
                        }
                        Structure::Block(ib) if ib.ident.as_str() == "backend" => {
                            let name = ib
                                .labels
                                .first()
                                .map(|l| l.as_str().to_string())
                                .unwrap_or_default();
                            m.terraform.backend = Some((name, ib.body.clone()));
                            m.terraform.backend_range =
                                range_of(file, ib.ident.span()).map(|mut r| {
                                    if let Some(l) = ib.labels.first().and_then(|l| l.span()) {
                                        r.end = r.end.max(l.end);
                                    }
                                    r
                                });
                        }
                        Structure::Block(ib) if ib.ident.as_str() == "encryption" => {
                            let r = range_of(file, ib.ident.span());
                            if m.terraform.encryption.is_some() {
                                diags.push(
                                    Diagnostic::error(
                                        "Duplicate encryption configuration",
                                        "A module may have only one encryption configuration.",
                                    )
                                    .at(r),
                                );
                                continue;
                            }
                            let cfg = encryption::parse(&ib.body, file, r, diags);
                            m.terraform.encryption = Some(cfg);
                        }
                        Structure::Block(ib) if ib.ident.as_str() == "required_providers" => {
                            for s in ib.body.iter() {
                                if let Structure::Attribute(a) = s {
                                    let field = |name: &str| match &a.value {
                                        Expression::Object(o) => o.iter().find_map(|(k, v)| {
                                            let key = match k {
                                                hcl_edit::expr::ObjectKey::Ident(i) => {
                                                    i.as_str().to_string()
                                                }
                                                hcl_edit::expr::ObjectKey::Expression(e) => {
                                                    const_string(e).unwrap_or_default()
                                                }
                                            };
                                            (key == name)
                                                .then(|| (const_string(v.expr()), v.expr().span()))
                                        }),
                                        // The legacy form `aws = "~> 5.0"` is a version.
                                        e if name == "version" => Some((const_string(e), e.span())),
                                        _ => None,
                                    };
                                    let src = field("source").and_then(|(s, _)| s);
                                    let pname = a.key.as_str().to_string();
                                    if let Some((Some(v), span)) = field("version") {
                                        m.terraform.provider_versions.push((
                                            pname.clone(),
                                            src.clone(),
                                            v,
                                            range_of(file, span),
                                        ));
                                    }
                                    m.terraform.required_providers.insert(pname, src);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            "moved" | "import" | "removed" => {
                let source = self.sources.get(file).unwrap_or_else(|| Arc::from(""));
                match kind {
                    "moved" => m
                        .moved
                        .extend(resource::parse_moved(b, file, &source, diags)),
                    "import" => m
                        .imports
                        .extend(resource::parse_import(b, file, &source, diags)),
                    _ => m
                        .removed
                        .extend(resource::parse_removed(b, file, &source, diags)),
                }
            }
            _ => m.other_blocks.push((b.clone(), file.clone())),
        }
    }

    fn load_variable(
        &mut self,
        m: &mut Module,
        name: &str,
        b: &Block,
        file: &Arc<str>,
        range: Option<SourceRange>,
        diags: &mut Diagnostics,
    ) {
        if m.variables.contains_key(name) {
            diags.push(Diagnostic::error(
                "Duplicate variable declaration",
                format!("A variable named {name:?} was already declared. Variable names must be unique within a module."),
            ).at(range));
            return;
        }
        if is_reserved_var_name(name) {
            diags.push(Diagnostic::error(
                "Invalid variable name",
                format!("The variable name {name:?} is reserved due to its special meaning inside module blocks."),
            ).at(range));
            return;
        }
        let mut v = Variable {
            name: name.to_string(),
            ty: Type::Dynamic,
            has_type: false,
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            validations: vec![],
            range,
        };
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => match a.key.as_str() {
                    "type" => match typeexpr::parse_type(&a.value, file) {
                        Ok(t) => {
                            v.ty = t;
                            v.has_type = true;
                        }
                        Err(d) => diags.push(d),
                    },
                    "default" => {
                        v.default = Some(Expr {
                            expr: a.value.clone(),
                            file: file.clone(),
                        })
                    }
                    "description" => v.description = const_string(&a.value),
                    "sensitive" => v.sensitive = const_bool(&a.value, file, diags).unwrap_or(false),
                    "nullable" => v.nullable = const_bool(&a.value, file, diags).unwrap_or(true),
                    "ephemeral" => {}
                    k => diags.push(unsupported_arg(
                        k,
                        "variable",
                        &[
                            "type",
                            "default",
                            "description",
                            "sensitive",
                            "nullable",
                            "validation",
                        ],
                        file,
                        a,
                    )),
                },
                Structure::Block(vb) if vb.ident.as_str() == "validation" => {
                    let cond = attr(&vb.body, "condition");
                    let msg = attr(&vb.body, "error_message");
                    match (cond, msg) {
                        (Some(c), Some(msg)) => v.validations.push(Validation {
                            condition: Expr { expr: c.value.clone(), file: file.clone() },
                            error_message: Expr { expr: msg.value.clone(), file: file.clone() },
                        }),
                        _ => diags.push(
                            Diagnostic::error("Missing required argument", "A validation block requires both \"condition\" and \"error_message\".")
                                .at(range_of(file, vb.span())),
                        ),
                    }
                }
                Structure::Block(vb) => diags.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type {:?} are not expected here.",
                            vb.ident.as_str()
                        ),
                    )
                    .at(range_of(file, vb.ident.span())),
                ),
            }
        }
        m.variables.insert(name.to_string(), v);
    }

    fn load_output(
        &mut self,
        m: &mut Module,
        name: &str,
        b: &Block,
        file: &Arc<str>,
        range: Option<SourceRange>,
        diags: &mut Diagnostics,
    ) {
        if m.outputs.contains_key(name) {
            diags.push(Diagnostic::error(
                "Duplicate output definition",
                format!("An output named {name:?} was already defined. Output names must be unique within a module."),
            ).at(range));
            return;
        }
        let mut o = Output {
            name: name.to_string(),
            value: None,
            sensitive: false,
            description: None,
            depends_on: vec![],
            preconditions: vec![],
            range: range.clone(),
        };
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => match a.key.as_str() {
                    "value" => {
                        o.value = Some(Expr {
                            expr: a.value.clone(),
                            file: file.clone(),
                        })
                    }
                    "sensitive" => o.sensitive = const_bool(&a.value, file, diags).unwrap_or(false),
                    "description" => o.description = const_string(&a.value),
                    "depends_on" => o.depends_on = list_exprs(&a.value, file),
                    "ephemeral" => {}
                    k => diags.push(unsupported_arg(
                        k,
                        "output",
                        &[
                            "value",
                            "sensitive",
                            "description",
                            "depends_on",
                            "precondition",
                        ],
                        file,
                        a,
                    )),
                },
                Structure::Block(pb) if pb.ident.as_str() == "precondition" => {
                    if let (Some(c), Some(msg)) =
                        (attr(&pb.body, "condition"), attr(&pb.body, "error_message"))
                    {
                        o.preconditions.push(Check {
                            condition: Expr {
                                expr: c.value.clone(),
                                file: file.clone(),
                            },
                            error_message: Expr {
                                expr: msg.value.clone(),
                                file: file.clone(),
                            },
                        });
                    }
                }
                Structure::Block(pb) => diags.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type {:?} are not expected here.",
                            pb.ident.as_str()
                        ),
                    )
                    .at(range_of(file, pb.ident.span())),
                ),
            }
        }
        if o.value.is_none() {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    "The argument \"value\" is required, but no definition was found.",
                )
                .at(range),
            );
        }
        m.outputs.insert(name.to_string(), o);
    }

    fn load_module_call(
        &mut self,
        m: &mut Module,
        name: &str,
        b: &Block,
        file: &Arc<str>,
        range: Option<SourceRange>,
        diags: &mut Diagnostics,
    ) {
        if m.module_calls.contains_key(name) {
            diags.push(Diagnostic::error(
                "Duplicate module call",
                format!("A module call named {name:?} was already defined. Module calls must have unique names within a module."),
            ).at(range));
            return;
        }
        let mut c = ModuleCall {
            name: name.to_string(),
            source: String::new(),
            version: None,
            inputs: IndexMap::new(),
            count: None,
            for_each: None,
            depends_on: vec![],
            providers: None,
            range: range.clone(),
            module: None,
        };
        let mut has_source = false;
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let e = Expr {
                        expr: a.value.clone(),
                        file: file.clone(),
                    };
                    match a.key.as_str() {
                        "source" => match const_string(&a.value) {
                            Some(s) => {
                                c.source = s;
                                has_source = true;
                            }
                            None => diags.push(
                                Diagnostic::error(
                                    "Invalid module source",
                                    "The module source must be a literal string.",
                                )
                                .at(range_of(file, a.value.span())),
                            ),
                        },
                        "version" => c.version = const_string(&a.value),
                        "count" => c.count = Some(e),
                        "for_each" => c.for_each = Some(e),
                        "depends_on" => c.depends_on = list_exprs(&a.value, file),
                        "providers" => c.providers = Some(e),
                        k => {
                            c.inputs.insert(k.to_string(), e);
                        }
                    }
                }
                Structure::Block(ib) => diags.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type {:?} are not expected here.",
                            ib.ident.as_str()
                        ),
                    )
                    .at(range_of(file, ib.ident.span())),
                ),
            }
        }
        if c.count.is_some() && c.for_each.is_some() {
            diags.push(Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            ).at(range.clone()));
        }
        if !has_source {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    "The argument \"source\" is required, but no definition was found.",
                )
                .at(range),
            );
        }
        m.module_calls.insert(name.to_string(), c);
    }
}

/// `hcl-edit` reads integer literals into 64 bits and rejects longer ones;
/// Terraform's numbers are arbitrary precision. Such literals get a `.0`
/// suffix (the evaluator reads the literal's text exactly, so the value is
/// unchanged). Returns None when there is nothing to rewrite.
pub fn widen_big_integers(src: &str) -> Option<String> {
    let toks = crate::fmt::lexer::lex(src).ok()?;
    let big: Vec<(usize, usize, usize)> = toks
        .iter()
        .filter(|t| {
            t.ty == crate::fmt::lexer::TT::NumberLit
                && t.text.len() > 19
                && t.text.bytes().all(|b| b.is_ascii_digit())
        })
        .map(|t| (t.line, t.col, t.text.len()))
        .collect();
    if big.is_empty() {
        return None;
    }
    let mut line_starts = vec![0];
    for (i, b) in src.bytes().enumerate() {
        if b == b'\n' {
            line_starts.push(i + 1);
        }
    }
    let mut cuts = vec![];
    for (line, col, len) in big {
        let start = *line_starts.get(line.checked_sub(1)?)?;
        let off = src[start..]
            .char_indices()
            .nth(col.checked_sub(1)?)
            .map(|(i, _)| start + i)?;
        if src
            .get(off..off + len)
            .map(|t| t.bytes().all(|b| b.is_ascii_digit()))
            != Some(true)
        {
            return None;
        }
        cuts.push(off + len);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(src.len() + cuts.len() * 2);
    let mut last = 0;
    for c in cuts {
        out.push_str(&src[last..c]);
        out.push_str(".0");
        last = c;
    }
    out.push_str(&src[last..]);
    Some(out)
}

/// Check that brackets balance, with a linear scan of the tokens. Some
/// unbalanced inputs send `hcl-edit`'s backtracking parser into exponential
/// time, so they are rejected here first. Returns (line, column, message).
pub fn check_brackets(text: &str) -> Result<(), (usize, usize, String)> {
    use crate::fmt::lexer::{lex, TT};
    let toks = lex(text)?;
    let mut stack: Vec<(TT, usize, usize)> = vec![];
    for t in &toks {
        let close_of = |o: TT| match o {
            TT::OBrace | TT::TemplateInterp | TT::TemplateControl => TT::CBrace,
            TT::OBrack => TT::CBrack,
            _ => TT::CParen,
        };
        match t.ty {
            TT::OBrace | TT::OBrack | TT::OParen | TT::TemplateInterp | TT::TemplateControl => {
                stack.push((t.ty, t.line, t.col))
            }
            TT::CBrace | TT::CBrack | TT::CParen | TT::TemplateSeqEnd => {
                let want = if t.ty == TT::TemplateSeqEnd {
                    TT::CBrace
                } else {
                    t.ty
                };
                match stack.pop() {
                    Some((o, _, _)) if close_of(o) == want => {}
                    Some((_, l, c)) => return Err((t.line, t.col, format!("this closing bracket does not match the one opened at line {l}, column {c}"))),
                    None => return Err((t.line, t.col, "unexpected closing bracket".into())),
                }
            }
            _ => {}
        }
    }
    match stack.pop() {
        Some((_, l, c)) => Err((l, c, "this bracket is never closed".into())),
        None => Ok(()),
    }
}

/// Parse HCL native syntax, turning a syntax error into a diagnostic.
pub fn parse_hcl(text: &str, file: &Arc<str>) -> Result<Body, Diagnostic> {
    parse_hcl_source(text, file).map(|(b, _)| b)
}

/// Like [`parse_hcl`], but accepts object constructors that repeat a key, as
/// Terraform does (`{ port = 80, port = 443 }` is `{ port = 443 }`: the last
/// one wins). `hcl-edit` refuses them, so each repeated key is renamed with a
/// numbered suffix that the evaluator strips again ([`crate::lang::eval::strip_repeated_key_mark`]);
/// evaluating the items in order then lets the last one win. When a rename
/// happened, the rewritten text is returned too: the spans of the body refer
/// to it, so the caller registers it as the file's source.
pub fn parse_hcl_source(text: &str, file: &Arc<str>) -> Result<(Body, Option<String>), Diagnostic> {
    // hcl-edit rejects a leading byte-order mark; Terraform accepts it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = match parse_hcl_once(text, file) {
        Ok(b) => return Ok((b, None)),
        Err(e) => e,
    };
    let mut current = text.to_string();
    let mut err = first.clone();
    for n in 1..=10_000usize {
        let Some((off, msg)) = err.1.as_ref() else {
            break;
        };
        if !msg.contains("redefined object key") {
            break;
        }
        let Some(next) = rename_repeated_key(&current, *off, n) else {
            break;
        };
        current = next;
        match parse_hcl_once(&current, file) {
            Ok(b) => return Ok((b, Some(current))),
            Err(e) => err = e,
        }
    }
    Err(first.0)
}

/// The full syntax check of one native-syntax file as loading reads it (big
/// integer literals widened, repeated object keys accepted), for `fmt`.
/// Returns the error's (line, column, message).
pub fn check_syntax(src: &str) -> Result<(), (usize, usize, String)> {
    let text = widen_big_integers(src).unwrap_or_else(|| src.to_string());
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let file: Arc<str> = Arc::from("");
    match parse_hcl_source(text, &file) {
        Ok(_) => Ok(()),
        Err(d) => {
            let off = d.range.map(|r| r.start).unwrap_or(0).min(text.len());
            let before = text.get(..off).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let msg = d
                .detail
                .split(". Check the configuration syntax")
                .next()
                .unwrap_or("");
            Err((line, col, msg.to_string()))
        }
    }
}

/// Append the mark to the object key that starts at `off`: an identifier or a
/// quoted string (the mark goes before the closing quote).
fn rename_repeated_key(text: &str, off: usize, n: usize) -> Option<String> {
    let rest = text.get(off..)?;
    let end = if let Some(body) = rest.strip_prefix('"') {
        let mut esc = false;
        let mut close = None;
        for (i, c) in body.char_indices() {
            match c {
                _ if esc => esc = false,
                '\\' => esc = true,
                '"' => {
                    close = Some(i + 1);
                    break;
                }
                '\n' | '$' | '%' => return None,
                _ => {}
            }
        }
        close?
    } else {
        let l = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if l == 0 {
            return None;
        }
        l
    };
    Some(format!(
        "{}{}{n}{}",
        &text[..off + end],
        crate::lang::eval::REPEATED_KEY_MARK,
        &text[off + end..]
    ))
}

/// One parse; the error also carries its byte offset and raw message.
#[allow(clippy::type_complexity, clippy::result_large_err)]
fn parse_hcl_once(
    text: &str,
    file: &Arc<str>,
) -> Result<Body, (Diagnostic, Option<(usize, String)>)> {
    if let Err((line, col, msg)) = check_brackets(text) {
        let off = text
            .split('\n')
            .take(line.saturating_sub(1))
            .map(|l| l.len() + 1)
            .sum::<usize>()
            + text
                .split('\n')
                .nth(line.saturating_sub(1))
                .map(|l| {
                    l.char_indices()
                        .nth(col.saturating_sub(1))
                        .map(|(i, _)| i)
                        .unwrap_or(0)
                })
                .unwrap_or(0);
        return Err((Diagnostic::error("Invalid syntax", format!("Unbalanced brackets: {msg}. Check the configuration syntax at {file}:{line}:{col}."))
            .at(Some(SourceRange { file: file.clone(), start: off.min(text.len()), end: (off + 1).min(text.len()) })), None));
    }
    hcl_edit::parser::parse_body(text).map_err(|e| {
        let loc = e.location();
        let off = loc.offset();
        let raw = Some((off, e.message().to_string()));
        let d = Diagnostic::error(
            "Invalid syntax",
            format!(
                "{}. Check the configuration syntax at {}:{}:{}.",
                e.message().trim_end_matches('.'),
                file,
                loc.line(),
                loc.column()
            ),
        )
        .at(Some(SourceRange {
            file: file.clone(),
            start: off,
            end: off + 1,
        }));
        (d, raw)
    })
}

fn unsupported_arg(
    k: &str,
    block: &str,
    known: &[&str],
    file: &Arc<str>,
    a: &Attribute,
) -> Diagnostic {
    Diagnostic::error(
        "Unsupported argument",
        format!(
            "An argument named {k:?} is not expected in a {block} block.{}",
            suggest(k, known)
        ),
    )
    .at(range_of(file, a.key.span()))
}

/// " Did you mean \"x\"?" for the closest of `known`, or "".
pub fn suggest(name: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min();
    match best {
        Some((_, k)) => format!(" Did you mean {k:?}?"),
        None => String::new(),
    }
}

pub fn attr<'a>(body: &'a Body, name: &str) -> Option<&'a Attribute> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == name => Some(a),
        _ => None,
    })
}

/// A literal string (plain string or template without interpolations).
pub fn const_string(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.value().to_string()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                match el {
                    hcl_edit::template::Element::Literal(l) => out.push_str(l.value()),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn const_bool(e: &Expression, file: &Arc<str>, diags: &mut Diagnostics) -> Option<bool> {
    match e {
        Expression::Bool(b) => Some(*b.value()),
        e => {
            diags.push(
                Diagnostic::error(
                    "Invalid value",
                    "A literal bool value (true or false) is required here.",
                )
                .at(range_of(file, e.span())),
            );
            None
        }
    }
}

fn list_exprs(e: &Expression, file: &Arc<str>) -> Vec<Expr> {
    match e {
        Expression::Array(a) => a
            .iter()
            .map(|x| Expr {
                expr: x.clone(),
                file: file.clone(),
            })
            .collect(),
        _ => vec![],
    }
}

pub fn is_valid_name(s: &str) -> bool {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn is_reserved_var_name(n: &str) -> bool {
    matches!(
        n,
        "source"
            | "version"
            | "providers"
            | "count"
            | "for_each"
            | "lifecycle"
            | "depends_on"
            | "locals"
    )
}

/// `dir` joined with a relative `path`, `.` and `..` resolved lexically
/// (a leading `..` is kept: `./../..` is `../..`, not `.`).
pub fn join_lexically(dir: &Path, path: &str) -> PathBuf {
    normalize(&dir.join(path))
}

fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

#[cfg(test)]
mod path_tests {
    use super::join_lexically;
    use std::path::Path;

    #[test]
    fn keeps_leading_parent_dirs() {
        assert_eq!(join_lexically(Path::new("."), "../../"), Path::new("../.."));
        assert_eq!(
            join_lexically(Path::new("."), "../../modules/x"),
            Path::new("../../modules/x")
        );
        assert_eq!(join_lexically(Path::new("a/b"), "../c"), Path::new("a/c"));
        assert_eq!(join_lexically(Path::new("a"), "../../c"), Path::new("../c"));
        assert_eq!(
            join_lexically(Path::new("/r/a"), "../../../x"),
            Path::new("/x")
        );
        assert_eq!(join_lexically(Path::new("a"), ".."), Path::new("."));
    }
}

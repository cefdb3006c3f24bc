//! Typed addresses: module instances, resources and resource instances, with
//! Terraform's textual forms (`module.net[0].aws_subnet.public["a"]`).
//! Parsed from `-target`, `-replace`, `state mv` arguments; used as map keys
//! everywhere (never strings).

use std::fmt;
use std::str::FromStr;

/// The key of one instance of a resource or module with `count` / `for_each`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", quote(s)),
        }
    }
}

impl InstanceKey {
    /// The `index_key` JSON form used in state files.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            InstanceKey::Int(i) => serde_json::json!(i),
            InstanceKey::Str(s) => serde_json::json!(s),
        }
    }
    pub fn from_json(j: &serde_json::Value) -> Option<InstanceKey> {
        match j {
            serde_json::Value::Number(n) => n.as_i64().map(InstanceKey::Int),
            serde_json::Value::String(s) => Some(InstanceKey::Str(s.clone())),
            _ => None,
        }
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// A path of module instances from the root (empty = root module).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleInstance(pub Vec<(String, Option<InstanceKey>)>);

impl ModuleInstance {
    pub fn root() -> ModuleInstance {
        ModuleInstance(vec![])
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
    pub fn child(&self, name: &str, key: Option<InstanceKey>) -> ModuleInstance {
        let mut v = self.0.clone();
        v.push((name.to_string(), key));
        ModuleInstance(v)
    }
    /// The static module path (call names only).
    pub fn module_path(&self) -> Vec<String> {
        self.0.iter().map(|(n, _)| n.clone()).collect()
    }
    /// True if `self` is `other` or inside it.
    pub fn is_within(&self, other: &ModuleInstance) -> bool {
        self.0.len() >= other.0.len() && self.0[..other.0.len()] == other.0[..]
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (n, k)) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ".")?;
            }
            write!(f, "module.{n}")?;
            if let Some(k) = k {
                write!(f, "{k}")?;
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// A resource (block) within a module: `aws_vpc.main`, `data.aws_ami.x`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Resource {
    pub mode: Mode,
    pub ty: String,
    pub name: String,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.ty, self.name)
    }
}

/// A resource in a module instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResource {
    pub module: ModuleInstance,
    pub resource: Resource,
}

impl AbsResource {
    pub fn instance(&self, key: Option<InstanceKey>) -> AbsResourceInstance {
        AbsResourceInstance {
            module: self.module.clone(),
            resource: self.resource.clone(),
            key,
        }
    }
}

impl fmt::Display for AbsResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}", self.resource)
    }
}

/// One instance of a resource: `module.a[0].aws_subnet.s["x"]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbsResourceInstance {
    pub module: ModuleInstance,
    pub resource: Resource,
    pub key: Option<InstanceKey>,
}

impl AbsResourceInstance {
    pub fn abs_resource(&self) -> AbsResource {
        AbsResource {
            module: self.module.clone(),
            resource: self.resource.clone(),
        }
    }
}

impl fmt::Display for AbsResourceInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.abs_resource())?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// What `-target`, `-replace` and the `state` commands can name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Module(ModuleInstance),
    Resource(AbsResource),
    Instance(AbsResourceInstance),
}

impl Target {
    /// Does this target select the given instance?
    pub fn contains(&self, inst: &AbsResourceInstance) -> bool {
        match self {
            Target::Module(m) => inst.module.is_within(m),
            Target::Resource(r) => inst.module == r.module && inst.resource == r.resource,
            Target::Instance(i) => i == inst,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Module(m) => write!(f, "{m}"),
            Target::Resource(r) => write!(f, "{r}"),
            Target::Instance(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address {input:?}: {msg}")]
pub struct AddrError {
    pub input: String,
    pub msg: String,
}

/// Split an address into steps: names and bracketed keys.
fn tokenize(s: &str) -> Result<Vec<Step>, String> {
    let mut out = vec![];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'[' => {
                i += 1;
                if i < b.len() && b[i] == b'"' {
                    // quoted string key, JSON escapes
                    let start = i;
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    if i >= b.len() {
                        return Err("unterminated string key".into());
                    }
                    let lit = &s[start..=i];
                    let key: String = serde_json::from_str(lit).map_err(|e| e.to_string())?;
                    i += 1;
                    if i >= b.len() || b[i] != b']' {
                        return Err("expected ] after key".into());
                    }
                    i += 1;
                    out.push(Step::Key(InstanceKey::Str(key)));
                } else {
                    let start = i;
                    while i < b.len() && b[i] != b']' {
                        i += 1;
                    }
                    if i >= b.len() {
                        return Err("unterminated index".into());
                    }
                    let n: i64 = s[start..i]
                        .trim()
                        .parse()
                        .map_err(|_| format!("invalid index {:?}", &s[start..i]))?;
                    i += 1;
                    out.push(Step::Key(InstanceKey::Int(n)));
                }
            }
            _ => {
                let start = i;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
                out.push(Step::Name(s[start..i].to_string()));
            }
        }
    }
    Ok(out)
}

enum Step {
    Name(String),
    Key(InstanceKey),
}

impl FromStr for Target {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<Target, AddrError> {
        let err = |msg: &str| AddrError {
            input: s.to_string(),
            msg: msg.to_string(),
        };
        let steps = tokenize(s.trim()).map_err(|m| err(&m))?;
        let mut module = ModuleInstance::root();
        let mut it = steps.into_iter().peekable();
        loop {
            match it.peek() {
                Some(Step::Name(n)) if n == "module" => {
                    it.next();
                    let name = match it.next() {
                        Some(Step::Name(n)) => n,
                        _ => return Err(err("module name expected after \"module.\"")),
                    };
                    let key = match it.peek() {
                        Some(Step::Key(_)) => match it.next() {
                            Some(Step::Key(k)) => Some(k),
                            _ => None,
                        },
                        _ => None,
                    };
                    module = module.child(&name, key);
                }
                _ => break,
            }
        }
        let first = match it.next() {
            None => {
                if module.is_root() {
                    return Err(err("empty address"));
                }
                return Ok(Target::Module(module));
            }
            Some(Step::Name(n)) => n,
            Some(Step::Key(_)) => return Err(err("unexpected index")),
        };
        let (mode, ty) = if first == "data" {
            match it.next() {
                Some(Step::Name(t)) => (Mode::Data, t),
                _ => return Err(err("resource type expected after \"data.\"")),
            }
        } else {
            (Mode::Managed, first)
        };
        let name = match it.next() {
            Some(Step::Name(n)) => n,
            _ => {
                return Err(err(
                    "a resource address needs a type and a name, like aws_vpc.main",
                ))
            }
        };
        if !valid_ident(&ty) || !valid_ident(&name) {
            return Err(err("invalid resource type or name"));
        }
        let resource = Resource { mode, ty, name };
        let key = match it.next() {
            None => None,
            Some(Step::Key(k)) => Some(k),
            Some(Step::Name(_)) => return Err(err("unexpected attribute after resource address")),
        };
        if it.next().is_some() {
            return Err(err("unexpected trailing steps"));
        }
        Ok(match key {
            Some(k) => Target::Instance(AbsResourceInstance {
                module,
                resource,
                key: Some(k),
            }),
            None => Target::Resource(AbsResource { module, resource }),
        })
    }
}

impl FromStr for AbsResourceInstance {
    type Err = AddrError;
    fn from_str(s: &str) -> Result<AbsResourceInstance, AddrError> {
        match s.parse::<Target>()? {
            Target::Instance(i) => Ok(i),
            Target::Resource(r) => Ok(r.instance(None)),
            Target::Module(_) => Err(AddrError {
                input: s.into(),
                msg: "a resource instance address is required, not a module".into(),
            }),
        }
    }
}

fn valid_ident(s: &str) -> bool {
    crate::config::is_valid_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "aws_vpc.main",
            "data.aws_ami.ubuntu",
            "aws_subnet.public[0]",
            "aws_subnet.public[\"eu-west-1a\"]",
            "module.net.aws_vpc.this",
            "module.net[1].module.inner[\"k\"].aws_route.r[3]",
            "module.net",
        ] {
            let t: Target = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_input() {
        for s in [
            "",
            "aws_vpc",
            "aws_vpc.main.extra",
            "module.",
            "aws_vpc.main[",
            "aws_vpc.main[\"x]",
            "[0]",
        ] {
            assert!(s.parse::<Target>().is_err(), "{s}");
        }
    }

    #[test]
    fn targets_contain_instances() {
        let i: AbsResourceInstance = "module.a[0].aws_vpc.v[\"x\"]".parse().unwrap();
        let m: Target = "module.a[0]".parse().unwrap();
        assert!(m.contains(&i));
        let r: Target = "module.a[0].aws_vpc.v".parse().unwrap();
        assert!(r.contains(&i));
        let other: Target = "aws_vpc.v".parse().unwrap();
        assert!(!other.contains(&i));
    }
}

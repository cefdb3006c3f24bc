//! Built-in providers: `terraform` (`terraform_data`, `terraform_remote_state`)
//! and the HashiCorp utility providers herd carries in the binary (random,
//! null, time, local, archive, template, external), one folder per provider with one
//! file per type. Each keeps the resource addresses, attribute names, state
//! layout and provider address in state of the HashiCorp provider whose
//! version [`BUILTIN_PROVIDERS`] records, so a state written by either tool
//! plans no changes with the other.

pub mod archive;
pub mod external;
pub mod local;
pub mod null;
pub mod random;
pub mod template;
pub mod terraform_data;
pub mod terraform_remote_state;
pub mod time;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Registry, Schema};
use crate::lang::types::Type;
use crate::lang::value::Value;

/// A provider built into herd: local name, registry source and the version
/// of the HashiCorp provider whose behaviour herd follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinProvider {
    pub name: &'static str,
    pub source: &'static str,
    pub version: &'static str,
}

/// Every provider herd has built in besides `aws`, with the version whose
/// schemas and behaviour it reproduces (read from that provider's source).
pub const BUILTIN_PROVIDERS: &[BuiltinProvider] = &[
    BuiltinProvider {
        name: "terraform",
        source: "terraform.io/builtin/terraform",
        version: "1.11.4",
    },
    BuiltinProvider {
        name: "random",
        source: "hashicorp/random",
        version: random::VERSION,
    },
    BuiltinProvider {
        name: "null",
        source: "hashicorp/null",
        version: null::VERSION,
    },
    BuiltinProvider {
        name: "time",
        source: "hashicorp/time",
        version: time::VERSION,
    },
    BuiltinProvider {
        name: "local",
        source: "hashicorp/local",
        version: local::VERSION,
    },
    BuiltinProvider {
        name: "archive",
        source: "hashicorp/archive",
        version: archive::VERSION,
    },
    BuiltinProvider {
        name: "external",
        source: "hashicorp/external",
        version: external::VERSION,
    },
    BuiltinProvider {
        name: "template",
        source: "hashicorp/template",
        version: template::VERSION,
    },
];

/// The built-in provider of a `required_providers` entry (by local name, or
/// by a source ending in `/NAME`), if herd has it.
pub fn builtin_provider(name: &str, source: Option<&str>) -> Option<&'static BuiltinProvider> {
    BUILTIN_PROVIDERS.iter().find(|p| match source {
        Some(s) => {
            let s = s.trim().to_ascii_lowercase();
            let s = s.strip_prefix("registry.terraform.io/").unwrap_or(&s);
            s == p.source || (p.name == "terraform" && s == "hashicorp/terraform")
        }
        None => p.name == name,
    })
}

pub fn register(r: &mut Registry) {
    r.resources.insert(
        "terraform_data",
        Arc::new(terraform_data::TerraformData::new()),
    );
    r.data_sources.insert(
        "terraform_remote_state",
        Arc::new(terraform_remote_state::RemoteState::new()),
    );
    random::register(r);
    null::register(r);
    time::register(r);
    local::register(r);
    archive::register(r);
    template::register(r);
    external::register(r);
    // These providers take no configuration: `provider "random" {}` is
    // accepted, any argument in it is an error (as with the real ones).
    for p in [
        "random", "null", "time", "local", "archive", "template", "external",
    ] {
        r.provider_schemas.insert(p, Schema::new());
    }
}

// ---- small helpers shared by the built-in types ----

/// Attribute `name` of an object value (null when absent).
pub(crate) fn get(v: &Value, name: &str) -> Value {
    v.as_entries()
        .and_then(|m| m.get(name).cloned())
        .unwrap_or_else(Value::null)
}

/// A string attribute, `None` when null or unknown.
pub(crate) fn get_str(v: &Value, name: &str) -> Option<String> {
    get(v, name).as_str().map(|s| s.to_string())
}

/// A whole-number attribute, `None` when null, unknown or not an integer.
pub(crate) fn get_i64(v: &Value, name: &str) -> Option<i64> {
    get(v, name).as_number().and_then(|n| n.to_i64())
}

pub(crate) fn get_bool(v: &Value, name: &str) -> Option<bool> {
    get(v, name).as_bool()
}

/// `v` with attribute `name` set to `x`.
pub(crate) fn with(v: &Value, name: &str, x: Value) -> Value {
    let mut m: BTreeMap<String, Value> = v.as_entries().cloned().unwrap_or_default();
    m.insert(name.to_string(), x);
    Value::object(m).mark(v.sensitive)
}

/// An object of the schema's shape: the given attributes, every other one
/// null of its type (what an import or a fresh state holds).
pub(crate) fn object(schema: &Schema, pairs: Vec<(&str, Value)>) -> Value {
    let mut m: BTreeMap<String, Value> = schema
        .attributes
        .iter()
        .map(|(k, a)| (k.to_string(), Value::null_of(a.ty.clone())))
        .collect();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::object(m)
}

pub(crate) fn string_map() -> Type {
    Type::Map(Box::new(Type::String))
}

/// The provider's `RequiresReplaceIfValuesNotNull` on a map of strings
/// (random's `keepers`, null's `triggers`): a change forces replacement
/// unless it only adds keys whose values are null.
pub(crate) fn map_change_forces(prior: &Value, planned: &Value) -> bool {
    let empty = BTreeMap::new();
    let cfg = planned.as_entries().unwrap_or(&empty);
    match prior.as_entries() {
        None => cfg.values().any(|v| !v.is_null()),
        Some(st) => {
            for (k, v) in cfg {
                match st.get(k) {
                    None if v.is_null() => continue,
                    Some(s) if crate::engine::diff::same(s, v) => continue,
                    _ => return true,
                }
            }
            st.keys().any(|k| !cfg.contains_key(k))
        }
    }
}

/// The hex digest helpers the local and archive providers share.
pub(crate) mod digest {
    use base64::Engine;
    use md5::Digest as _;

    pub fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    pub fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }
    pub fn md5(d: &[u8]) -> Vec<u8> {
        md5::Md5::digest(d).to_vec()
    }
    pub fn sha1(d: &[u8]) -> Vec<u8> {
        sha1::Sha1::digest(d).to_vec()
    }
    pub fn sha256(d: &[u8]) -> Vec<u8> {
        sha2::Sha256::digest(d).to_vec()
    }
    pub fn sha512(d: &[u8]) -> Vec<u8> {
        sha2::Sha512::digest(d).to_vec()
    }
}

//! Saved plan files (`plan -out=FILE`, `apply FILE`, `show FILE`).
//!
//! A plan file is a gzip-compressed JSON document (plain JSON is accepted
//! when reading):
//!
//! ```json
//! {"herd_plan_format": 1, "plan": {...}, "extra": {...}}
//! ```
//!
//! `plan` holds the whole [`Plan`] with values in a compact tagged encoding
//! ([`encode_value`]) that keeps unknowns, types (typed nulls, empty typed
//! collections) and sensitive marks exactly; `extra` holds [`PlanFileExtra`].
//! The file contains sensitive values in clear, so it is written with mode
//! 0600.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as J};

use super::{Action, ActionReason, OutputChange, PathStep, Plan, ResourceChange};
use crate::addrs::AbsResourceInstance;
use crate::lang::number::Number;
use crate::lang::render::{type_from_json, type_json};
use crate::lang::value::{Kind, Value};
use crate::state::State;

/// The plan file format version herd writes and reads.
pub const PLAN_FILE_FORMAT: u64 = 1;

/// What a plan file records besides the plan itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanFileExtra {
    /// Lineage of the state the plan was made against.
    pub lineage: String,
    /// Serial of the state the plan was made against.
    pub serial: u64,
    /// The working directory's configuration files (path → contents), so
    /// apply can tell whether the configuration changed since the plan.
    #[serde(default)]
    pub config_files: BTreeMap<String, String>,
    /// Root variable values as given (name → raw text).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// `-target` options.
    #[serde(default)]
    pub targets: Vec<String>,
    /// `-replace` options.
    #[serde(default)]
    pub replace: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("reading plan file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid herd plan file: {msg}")]
    Invalid { path: PathBuf, msg: String },
    #[error(
        "plan file {path} has format version {found}; this herd reads version {PLAN_FILE_FORMAT}"
    )]
    Version { path: PathBuf, found: u64 },
}

// ---------------------------------------------------------------------------
// Values

/// Encode a value exactly: strings and bools as themselves; everything else
/// as a one-key object: `{"n": "1.5"}`, `{"null": TYPE}`, `{"unknown": TYPE}`,
/// `{"list": [TYPE, [..]]}`, `{"set": [TYPE, [..]]}`, `{"map": [TYPE, {..}]}`,
/// `{"tuple": [..]}`, `{"object": {..}}`; a sensitive value is wrapped as
/// `{"sensitive": ..}`. Types use cty's JSON type form.
pub fn encode_value(v: &Value) -> J {
    let inner = match &v.kind {
        Kind::Null(t) => json!({ "null": type_json(t) }),
        Kind::Unknown(t) => json!({ "unknown": type_json(t) }),
        Kind::Bool(b) => J::Bool(*b),
        Kind::Number(n) => json!({ "n": n.to_string() }),
        Kind::String(s) => J::String(s.clone()),
        Kind::List(t, xs) => {
            json!({ "list": [type_json(t), xs.iter().map(encode_value).collect::<Vec<_>>()] })
        }
        Kind::Set(t, xs) => {
            json!({ "set": [type_json(t), xs.iter().map(encode_value).collect::<Vec<_>>()] })
        }
        Kind::Map(t, m) => {
            json!({ "map": [type_json(t), m.iter().map(|(k, x)| (k.clone(), encode_value(x))).collect::<Map<_, _>>()] })
        }
        Kind::Tuple(xs) => json!({ "tuple": xs.iter().map(encode_value).collect::<Vec<_>>() }),
        Kind::Object(m) => {
            json!({ "object": m.iter().map(|(k, x)| (k.clone(), encode_value(x))).collect::<Map<_, _>>() })
        }
    };
    if v.sensitive {
        json!({ "sensitive": inner })
    } else {
        inner
    }
}

/// Decode [`encode_value`]'s form.
pub fn decode_value(j: &J) -> Result<Value, String> {
    match j {
        J::Bool(b) => Ok(Value::bool(*b)),
        J::String(s) => Ok(Value::string(s.clone())),
        J::Object(m) if m.len() == 1 => {
            let (tag, body) = m.iter().next().expect("one entry");
            let pair = |body: &J| -> Result<(crate::lang::types::Type, J), String> {
                match body.as_array().map(|a| a.as_slice()) {
                    Some([t, items]) => Ok((type_from_json(t), items.clone())),
                    _ => Err(format!("bad {tag} encoding")),
                }
            };
            let seq = |items: &J| -> Result<Vec<Value>, String> {
                items
                    .as_array()
                    .ok_or_else(|| format!("bad {tag} items"))?
                    .iter()
                    .map(decode_value)
                    .collect()
            };
            let entries = |items: &J| -> Result<BTreeMap<String, Value>, String> {
                items
                    .as_object()
                    .ok_or_else(|| format!("bad {tag} entries"))?
                    .iter()
                    .map(|(k, x)| Ok((k.clone(), decode_value(x)?)))
                    .collect()
            };
            Ok(match tag.as_str() {
                "sensitive" => decode_value(body)?.mark(true),
                "null" => Value::null_of(type_from_json(body)),
                "unknown" => Value::unknown(type_from_json(body)),
                "n" => {
                    let s = body.as_str().ok_or("bad number")?;
                    Value::number(Number::parse(s).ok_or_else(|| format!("bad number {s:?}"))?)
                }
                "list" => {
                    let (t, items) = pair(body)?;
                    Value::list(t, seq(&items)?)
                }
                "set" => {
                    let (t, items) = pair(body)?;
                    // Kept in the stored order (already cty's set order).
                    Kind::Set(t, seq(&items)?).into()
                }
                "map" => {
                    let (t, items) = pair(body)?;
                    Value::map(t, entries(&items)?)
                }
                "tuple" => Value::tuple(seq(body)?),
                "object" => Value::object(entries(body)?),
                other => return Err(format!("unknown value tag {other:?}")),
            })
        }
        other => Err(format!("bad value encoding {other}")),
    }
}

fn opt_value(v: &Option<Value>) -> J {
    v.as_ref().map(encode_value).unwrap_or(J::Null)
}

fn dec_opt_value(j: Option<&J>) -> Result<Option<Value>, String> {
    match j {
        None | Some(J::Null) => Ok(None),
        Some(j) => decode_value(j).map(Some),
    }
}

// ---------------------------------------------------------------------------
// Plan

fn reason_from_name(s: &str) -> Option<ActionReason> {
    use ActionReason::*;
    [
        ReplaceBecauseTainted,
        ReplaceByRequest,
        ReplaceByTriggers,
        ReplaceBecauseCannotUpdate,
        DeleteBecauseNoResourceConfig,
        DeleteBecauseNoModule,
        DeleteBecauseWrongRepetition,
        DeleteBecauseCountIndex,
        DeleteBecauseEachKey,
        ReadBecauseConfigUnknown,
        ReadBecauseDependencyPending,
    ]
    .into_iter()
    .find(|r| r.json_name() == s)
}

fn encode_path(p: &[PathStep]) -> J {
    J::Array(
        p.iter()
            .map(|s| match s {
                PathStep::Attr(a) => J::String(a.clone()),
                PathStep::Key(k) => json!({ "k": k }),
                PathStep::Index(i) => json!(i),
            })
            .collect(),
    )
}

fn decode_path(j: &J) -> Result<Vec<PathStep>, String> {
    j.as_array()
        .ok_or("bad path")?
        .iter()
        .map(|s| match s {
            J::String(a) => Ok(PathStep::Attr(a.clone())),
            J::Number(n) => n.as_i64().map(PathStep::Index).ok_or("bad index".into()),
            J::Object(m) => m
                .get("k")
                .and_then(|k| k.as_str())
                .map(|k| PathStep::Key(k.to_string()))
                .ok_or_else(|| "bad key step".to_string()),
            _ => Err("bad path step".into()),
        })
        .collect()
}

fn encode_change(c: &ResourceChange) -> J {
    let mut m = Map::new();
    m.insert("addr".into(), json!(c.addr.to_string()));
    if let Some(p) = &c.prev_addr {
        m.insert("prev_addr".into(), json!(p.to_string()));
    }
    m.insert("provider".into(), json!(c.provider));
    m.insert(
        "action".into(),
        serde_json::to_value(c.action).unwrap_or(J::Null),
    );
    if let Some(r) = c.reason {
        m.insert("reason".into(), json!(r.json_name()));
    }
    m.insert("before".into(), opt_value(&c.before));
    m.insert("after".into(), opt_value(&c.after));
    if !c.replace_paths.is_empty() {
        m.insert(
            "replace_paths".into(),
            J::Array(c.replace_paths.iter().map(|p| encode_path(p)).collect()),
        );
    }
    if let Some(d) = &c.deposed {
        m.insert("deposed".into(), json!(d));
    }
    if let Some(i) = &c.importing {
        m.insert("importing".into(), json!(i));
    }
    J::Object(m)
}

fn str_field<'a>(j: &'a J, k: &str) -> Result<&'a str, String> {
    j.get(k)
        .and_then(|v| v.as_str())
        .ok_or_else(|| format!("missing {k:?}"))
}

fn opt_str(j: &J, k: &str) -> Option<String> {
    j.get(k).and_then(|v| v.as_str()).map(|s| s.to_string())
}

fn addr(s: &str) -> Result<AbsResourceInstance, String> {
    s.parse::<AbsResourceInstance>().map_err(|e| e.to_string())
}

fn decode_change(j: &J) -> Result<ResourceChange, String> {
    let action: Action = serde_json::from_value(j.get("action").cloned().unwrap_or(J::Null))
        .map_err(|e| format!("bad action: {e}"))?;
    Ok(ResourceChange {
        addr: addr(str_field(j, "addr")?)?,
        prev_addr: match opt_str(j, "prev_addr") {
            Some(s) => Some(addr(&s)?),
            None => None,
        },
        provider: str_field(j, "provider")?.to_string(),
        action,
        reason: match opt_str(j, "reason") {
            Some(s) => Some(reason_from_name(&s).ok_or_else(|| format!("bad reason {s:?}"))?),
            None => None,
        },
        before: dec_opt_value(j.get("before"))?,
        after: dec_opt_value(j.get("after"))?,
        replace_paths: match j.get("replace_paths") {
            Some(J::Array(a)) => a.iter().map(decode_path).collect::<Result<_, _>>()?,
            _ => vec![],
        },
        deposed: opt_str(j, "deposed"),
        importing: opt_str(j, "importing"),
    })
}

fn encode_output(o: &OutputChange) -> J {
    json!({
        "name": o.name,
        "action": serde_json::to_value(o.action).unwrap_or(J::Null),
        "before": opt_value(&o.before),
        "after": opt_value(&o.after),
        "sensitive": o.sensitive,
    })
}

fn decode_output(j: &J) -> Result<OutputChange, String> {
    Ok(OutputChange {
        name: str_field(j, "name")?.to_string(),
        action: serde_json::from_value(j.get("action").cloned().unwrap_or(J::Null))
            .map_err(|e| format!("bad action: {e}"))?,
        before: dec_opt_value(j.get("before"))?,
        after: dec_opt_value(j.get("after"))?,
        sensitive: j
            .get("sensitive")
            .and_then(|b| b.as_bool())
            .unwrap_or(false),
    })
}

/// The plan as JSON in the plan file's encoding.
pub fn encode_plan(p: &Plan) -> J {
    json!({
        "changes": p.changes.iter().map(encode_change).collect::<Vec<_>>(),
        "outputs": p.outputs.iter().map(encode_output).collect::<Vec<_>>(),
        "drift": p.drift.iter().map(encode_change).collect::<Vec<_>>(),
        "prior_state": serde_json::to_value(&p.prior_state).unwrap_or(J::Null),
        "variables": p.variables.iter().map(|(k, v)| (k.clone(), encode_value(v))).collect::<Map<_, _>>(),
        "destroy": p.destroy,
        "refresh_only": p.refresh_only,
        "forget": p.forget.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        "errored": p.errored,
        "timestamp": p.timestamp,
    })
}

/// Decode [`encode_plan`]'s form.
pub fn decode_plan(j: &J) -> Result<Plan, String> {
    let list = |k: &str| -> &[J] {
        j.get(k)
            .and_then(|a| a.as_array())
            .map(|a| a.as_slice())
            .unwrap_or(&[])
    };
    let flag = |k: &str| j.get(k).and_then(|b| b.as_bool()).unwrap_or(false);
    let prior_state: State =
        serde_json::from_value(j.get("prior_state").cloned().unwrap_or(J::Null))
            .map_err(|e| format!("bad prior state: {e}"))?;
    let mut variables = BTreeMap::new();
    if let Some(m) = j.get("variables").and_then(|m| m.as_object()) {
        for (k, v) in m {
            variables.insert(k.clone(), decode_value(v)?);
        }
    }
    Ok(Plan {
        changes: list("changes")
            .iter()
            .map(decode_change)
            .collect::<Result<_, _>>()?,
        outputs: list("outputs")
            .iter()
            .map(decode_output)
            .collect::<Result<_, _>>()?,
        drift: list("drift")
            .iter()
            .map(decode_change)
            .collect::<Result<_, _>>()?,
        prior_state,
        variables,
        destroy: flag("destroy"),
        refresh_only: flag("refresh_only"),
        forget: list("forget")
            .iter()
            .filter_map(|a| a.as_str().and_then(|s| s.parse().ok()))
            .collect(),
        errored: flag("errored"),
        timestamp: opt_str(j, "timestamp").unwrap_or_default(),
    })
}

/// Write a plan file (gzip-compressed JSON, mode 0600).
pub fn write_plan_file(path: &Path, plan: &Plan, extra: &PlanFileExtra) -> std::io::Result<()> {
    let doc = json!({
        "herd_plan_format": PLAN_FILE_FORMAT,
        "terraform_version": crate::state::TERRAFORM_VERSION,
        "plan": encode_plan(plan),
        "extra": serde_json::to_value(extra).map_err(std::io::Error::other)?,
    });
    let text = serde_json::to_vec(&doc).map_err(std::io::Error::other)?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&text)?;
    let bytes = enc.finish()?;
    let bytes = crate::encryption::encrypt_plan(&bytes).map_err(std::io::Error::other)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(&bytes)?;
    f.sync_all()
}

/// Read a plan file written by [`write_plan_file`].
pub fn read_plan_file(path: &Path) -> Result<(Plan, PlanFileExtra), PlanFileError> {
    let invalid = |msg: String| PlanFileError::Invalid {
        path: path.to_path_buf(),
        msg,
    };
    let raw = std::fs::read(path).map_err(|e| PlanFileError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let raw = crate::encryption::decrypt_plan(&raw).map_err(|e| invalid(e.to_string()))?;
    let text = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| invalid(e.to_string()))?;
        out
    } else {
        raw
    };
    let doc: J = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    let found = doc
        .get("herd_plan_format")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| invalid("no herd_plan_format field".into()))?;
    if found != PLAN_FILE_FORMAT {
        return Err(PlanFileError::Version {
            path: path.to_path_buf(),
            found,
        });
    }
    let plan = decode_plan(doc.get("plan").unwrap_or(&J::Null)).map_err(invalid)?;
    let extra: PlanFileExtra = serde_json::from_value(doc.get("extra").cloned().unwrap_or(J::Null))
        .map_err(|e| invalid(e.to_string()))?;
    Ok((plan, extra))
}

//! JSON forms of values: the encoding used by `jsonencode`, `output -json` and
//! the state file, and decoding (`jsondecode`, `.tfvars.json`) into values.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::number::Number;
use super::types::Type;
use super::value::{Kind, Value};

/// Encode a (wholly known) value as compact JSON, Go-style: object keys sorted,
/// `<`, `>` and `&` escaped as `\u003c` etc. like Go's encoding/json.
pub fn to_json_string(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out, false);
    out
}

/// Like [`to_json_string`] but without Go's HTML escaping.
pub fn to_json_string_plain(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out, true);
    out
}

fn write_json(v: &Value, out: &mut String, plain: bool) {
    match &v.kind {
        Kind::Null(_) | Kind::Unknown(_) => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Kind::String(s) => write_json_str(s, out, plain),
        Kind::List(_, items) | Kind::Set(_, items) | Kind::Tuple(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(x, out, plain);
            }
            out.push(']');
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out, plain);
                out.push(':');
                write_json(x, out, plain);
            }
            out.push('}');
        }
    }
}

/// Write a JSON string literal with Go's escaping rules.
pub fn write_json_str(s: &str, out: &mut String, plain: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if !plain => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' if !plain => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Pretty JSON with two-space indentation (for `output -json`), no HTML escaping.
pub fn to_json_pretty(v: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize, out: &mut String| {
        for _ in 0..n {
            out.push_str("  ");
        }
    };
    match &v.kind {
        Kind::List(_, items) | Kind::Set(_, items) | Kind::Tuple(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for (i, x) in items.iter().enumerate() {
                pad(indent + 1, out);
                to_json_pretty(x, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(indent, out);
            out.push(']');
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (i, (k, x)) in m.iter().enumerate() {
                pad(indent + 1, out);
                write_json_str(k, out, true);
                out.push_str(": ");
                to_json_pretty(x, indent + 1, out);
                if i + 1 < m.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(indent, out);
            out.push('}');
        }
        _ => write_json(v, out, true),
    }
}

/// Decode JSON text into a value (objects → object, arrays → tuple), keeping
/// numbers exact.
pub fn from_json_str(s: &str) -> Result<Value, String> {
    let j: serde_json::Value = serde_json::from_str(s).map_err(|e| e.to_string())?;
    Ok(from_json(&j))
}

pub fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::null(),
        serde_json::Value::Bool(b) => Value::bool(*b),
        serde_json::Value::Number(n) => {
            Value::number(Number::parse(&n.to_string()).unwrap_or_else(|| Number::from_i64(0)))
        }
        serde_json::Value::String(s) => Value::string(s.clone()),
        serde_json::Value::Array(a) => Value::tuple(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => Value::object(
            o.iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Decode JSON with a known target type (state attributes).
pub fn from_json_typed(j: &serde_json::Value, t: &Type) -> Value {
    let v = from_json(j);
    super::convert::convert(&v, t).unwrap_or(v)
}

//! IAM policy JSON: semantic equivalence (the provider's
//! `SuppressEquivalentPolicyDiffs` / `PolicyToSet`), normalisation, the
//! URL-decoding of documents IAM returns, and Go-compatible JSON output
//! (key order as given, `encoding/json` escaping, `MarshalIndent` layout).
//! Shared by every resource that carries a policy document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as J};

use crate::providers::ProviderError;

// ---------------------------------------------------------------------------
// Equivalence

/// Whether two policy documents mean the same to IAM: key order,
/// whitespace, statement order, the order of Action/Resource/Principal/
/// Condition values and a single value versus a one-element array do not
/// matter; `"*"` equals `{"AWS": "*"}` as a principal, and an account id
/// equals its `arn:…:iam::ID:root`. Invalid JSON is never equivalent.
pub fn policies_equivalent(a: &str, b: &str) -> bool {
    match (canonical(a), canonical(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The value to keep in state for a policy read back from AWS: the prior
/// (configured) string when it is equivalent, else AWS's, normalised.
pub fn policy_to_set(prior: Option<&str>, from_aws: &str) -> String {
    if let Some(p) = prior {
        if policies_equivalent(p, from_aws) {
            return p.to_string();
        }
    }
    normalize_json(from_aws).unwrap_or_else(|_| from_aws.to_string())
}

/// A policy document as IAM returns it (RFC 3986 percent-encoded) decoded.
pub fn decode_document(s: &str) -> String {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let h = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = h {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `structure.NormalizeJsonString`: compact, object keys sorted.
pub fn normalize_json(s: &str) -> Result<String, ProviderError> {
    let v: J = serde_json::from_str(s)
        .map_err(|e| ProviderError::new(format!("policy is invalid JSON: {e}")))?;
    Ok(go_json(&sort_keys(&v), false))
}

/// Parse error message for a policy argument that is not JSON (as the
/// provider's validation words it), or `None` when it parses.
pub fn invalid_json(s: &str) -> Option<String> {
    serde_json::from_str::<J>(s)
        .err()
        .map(|e| format!("policy contains an invalid JSON: {e}"))
}

fn sort_keys(v: &J) -> J {
    match v {
        J::Object(m) => {
            let sorted: BTreeMap<&String, J> = m.iter().map(|(k, x)| (k, sort_keys(x))).collect();
            J::Object(sorted.into_iter().map(|(k, x)| (k.clone(), x)).collect())
        }
        J::Array(xs) => J::Array(xs.iter().map(sort_keys).collect()),
        x => x.clone(),
    }
}

/// A value as a set of strings (a scalar is a one-element set).
fn string_set(v: &J) -> BTreeSet<String> {
    match v {
        J::Array(xs) => xs.iter().map(scalar_string).collect(),
        J::Null => BTreeSet::new(),
        x => [scalar_string(x)].into_iter().collect(),
    }
}

fn scalar_string(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::Null => String::new(),
        x => go_json(&sort_keys(x), false),
    }
}

fn set_json(s: BTreeSet<String>) -> J {
    J::Array(s.into_iter().map(J::String).collect())
}

fn canonical_principal(v: &J) -> J {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    match v {
        J::String(s) => {
            out.entry("AWS".into()).or_default().insert(s.clone());
        }
        J::Object(m) => {
            for (k, x) in m {
                let ids = string_set(x).into_iter().map(|id| {
                    if k == "AWS" && id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
                        format!("arn:aws:iam::{id}:root")
                    } else {
                        id
                    }
                });
                out.entry(k.clone()).or_default().extend(ids);
            }
        }
        x => return sort_keys(x),
    }
    J::Object(out.into_iter().map(|(k, s)| (k, set_json(s))).collect())
}

fn canonical_condition(v: &J) -> J {
    match v {
        J::Object(tests) => {
            let mut out: BTreeMap<String, J> = BTreeMap::new();
            for (t, vars) in tests {
                let inner = match vars {
                    J::Object(vs) => {
                        let m: BTreeMap<String, J> = vs
                            .iter()
                            .map(|(k, x)| (k.clone(), set_json(string_set(x))))
                            .collect();
                        J::Object(m.into_iter().collect())
                    }
                    x => sort_keys(x),
                };
                out.insert(t.clone(), inner);
            }
            J::Object(out.into_iter().collect())
        }
        x => sort_keys(x),
    }
}

fn canonical_statement(v: &J) -> J {
    let J::Object(m) = v else {
        return sort_keys(v);
    };
    let mut out: BTreeMap<String, J> = BTreeMap::new();
    for (k, x) in m {
        let c = match k.as_str() {
            "Action" | "NotAction" | "Resource" | "NotResource" => {
                let s = string_set(x);
                if s.is_empty() {
                    continue;
                }
                set_json(s)
            }
            "Principal" | "NotPrincipal" => canonical_principal(x),
            "Condition" => {
                if x.as_object().is_some_and(|o| o.is_empty()) {
                    continue;
                }
                canonical_condition(x)
            }
            "Sid" if x.as_str() == Some("") => continue,
            _ => sort_keys(x),
        };
        out.insert(k.clone(), c);
    }
    J::Object(out.into_iter().collect())
}

fn canonical(s: &str) -> Option<J> {
    let v: J = serde_json::from_str(s).ok()?;
    let J::Object(m) = v else {
        return Some(sort_keys(&v));
    };
    let mut out: BTreeMap<String, J> = BTreeMap::new();
    for (k, x) in &m {
        if k == "Statement" {
            let stmts: Vec<J> = match x {
                J::Array(xs) => xs.iter().map(canonical_statement).collect(),
                J::Null => vec![],
                x => vec![canonical_statement(x)],
            };
            let mut keyed: Vec<String> = stmts.iter().map(|s| go_json(s, false)).collect();
            keyed.sort();
            if keyed.is_empty() {
                continue;
            }
            out.insert(
                k.clone(),
                J::Array(keyed.into_iter().map(J::String).collect()),
            );
        } else {
            out.insert(k.clone(), sort_keys(x));
        }
    }
    Some(J::Object(out.into_iter().collect()))
}

// ---------------------------------------------------------------------------
// Go-compatible JSON output

/// JSON text as Go's `encoding/json` writes it: `json.Marshal` when
/// `indent` is false, `json.MarshalIndent(v, "", "  ")` when true. Object
/// keys keep the order of `v`.
pub fn go_json(v: &J, indent: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, v, indent, 0);
    out
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_json(out: &mut String, v: &J, indent: bool, depth: usize) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => write_str(out, s),
        J::Array(xs) => {
            if xs.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if indent {
                    newline(out, depth + 1);
                }
                write_json(out, x, indent, depth + 1);
            }
            if indent {
                newline(out, depth);
            }
            out.push(']');
        }
        J::Object(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if indent {
                    newline(out, depth + 1);
                }
                write_str(out, k);
                out.push(':');
                if indent {
                    out.push(' ');
                }
                write_json(out, x, indent, depth + 1);
            }
            if indent {
                newline(out, depth);
            }
            out.push('}');
        }
    }
}

/// A JSON string with Go's escaping (HTML-safe: `<`, `>`, `&` as `\u003c`…,
/// U+2028/U+2029 escaped).
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// CRC-32 (IEEE) of `s` — the provider's `StringHashcode`, used as the id
/// of `aws_iam_policy_document`.
pub fn hashcode(s: &str) -> u32 {
    let mut crc: u32 = 0xffff_ffff;
    for &b in s.as_bytes() {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// An object with keys in the given order (for Go struct field order).
pub fn ordered(entries: Vec<(&str, J)>) -> J {
    let mut m = Map::new();
    for (k, v) in entries {
        m.insert(k.to_string(), v);
    }
    J::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalence() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}"#;
        let b = r#"{
  "Statement": {
    "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
    "Action": ["sts:AssumeRole"],
    "Effect": "Allow"
  },
  "Version": "2012-10-17"
}"#;
        assert!(policies_equivalent(a, b));
        let c = a.replace("Allow", "Deny");
        assert!(!policies_equivalent(a, &c));
        let d = r#"{"Statement":[{"Effect":"Allow","Action":["s3:B","s3:A"],"Resource":"*"},{"Effect":"Deny","Action":"x:Y","Resource":"*"}]}"#;
        let e = r#"{"Statement":[{"Effect":"Deny","Action":"x:Y","Resource":["*"]},{"Effect":"Allow","Action":["s3:A","s3:B"],"Resource":"*"}]}"#;
        assert!(policies_equivalent(d, e));
        assert!(policies_equivalent(
            r#"{"Statement":[{"Principal":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#,
            r#"{"Statement":[{"Principal":{"AWS":"*"},"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#
        ));
        assert!(policies_equivalent(
            r#"{"Statement":[{"Principal":{"AWS":"123456789012"}}]}"#,
            r#"{"Statement":[{"Principal":{"AWS":["arn:aws:iam::123456789012:root"]}}]}"#
        ));
        assert!(!policies_equivalent("{", "{}"));
    }

    #[test]
    fn decode_and_normalize() {
        assert_eq!(
            decode_document("%7B%22Version%22%3A%20%222012-10-17%22%7D"),
            r#"{"Version": "2012-10-17"}"#
        );
        assert_eq!(
            normalize_json(r#"{ "b": 1, "a": ["<x>", "&"] }"#).unwrap(),
            r#"{"a":["\u003cx\u003e","\u0026"],"b":1}"#
        );
        let keep = r#"{"Version": "2012-10-17", "Statement": []}"#;
        assert_eq!(
            policy_to_set(Some(keep), r#"{"Statement":[],"Version":"2012-10-17"}"#),
            keep
        );
    }

    #[test]
    fn crc() {
        assert_eq!(hashcode("123456789"), 0xcbf4_3926);
    }
}

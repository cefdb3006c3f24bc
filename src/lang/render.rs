//! Human rendering of values, as `terraform console` and the `Outputs:`
//! section print them.

use super::value::{Kind, Value};

/// Render a value in Terraform's console syntax.
pub fn render(v: &Value) -> String {
    let mut out = String::new();
    write(v, 0, &mut out);
    out
}

fn pad(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn write(v: &Value, indent: usize, out: &mut String) {
    if v.sensitive {
        out.push_str("(sensitive value)");
        return;
    }
    match &v.kind {
        Kind::Null(_) => out.push_str("null"),
        Kind::Unknown(_) => out.push_str("(known after apply)"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&n.to_string()),
        Kind::String(s) => write_string(s, indent, out),
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            let wrap = match &v.kind {
                Kind::List(..) => Some("tolist("),
                Kind::Set(..) => Some("toset("),
                _ => None,
            };
            if let Some(w) = wrap {
                out.push_str(w);
            }
            if xs.is_empty() {
                out.push_str("[]");
            } else {
                out.push_str("[\n");
                for x in xs {
                    pad(indent + 1, out);
                    write(x, indent + 1, out);
                    out.push_str(",\n");
                }
                pad(indent, out);
                out.push(']');
            }
            if wrap.is_some() {
                out.push(')');
            }
        }
        Kind::Map(_, m) | Kind::Object(m) => {
            let is_map = matches!(v.kind, Kind::Map(..));
            if is_map {
                out.push_str("tomap(");
            }
            if m.is_empty() {
                out.push_str("{}");
            } else {
                out.push_str("{\n");
                let keys: Vec<String> = m.keys().map(|k| render_key(k)).collect();
                let w = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
                for (k, x) in keys.iter().zip(m.values()) {
                    pad(indent + 1, out);
                    out.push_str(k);
                    for _ in k.chars().count()..w {
                        out.push(' ');
                    }
                    out.push_str(" = ");
                    write(x, indent + 1, out);
                    out.push('\n');
                }
                pad(indent, out);
                out.push('}');
            }
            if is_map {
                out.push(')');
            }
        }
    }
}

fn render_key(k: &str) -> String {
    quote(k)
}

fn write_string(s: &str, indent: usize, out: &mut String) {
    if s.contains('\n') && s.len() > 1 {
        out.push_str("<<-EOT\n");
        let body = s.strip_suffix('\n').unwrap_or(s);
        for l in body.split('\n') {
            if !l.is_empty() {
                pad(indent + 1, out);
            }
            out.push_str(&escape_heredoc(l));
            out.push('\n');
        }
        pad(indent + 1, out);
        out.push_str("EOT");
        return;
    }
    out.push_str(&quote(s));
}

fn escape_heredoc(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// A quoted HCL string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("$$"),
            '%' if chars.peek() == Some(&'{') => out.push_str("%%"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// cty's JSON type description ("string", ["list","string"], ...).
pub fn type_json(t: &super::types::Type) -> serde_json::Value {
    use super::types::Type;
    use serde_json::json;
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::Bool => json!("bool"),
        Type::Number => json!("number"),
        Type::String => json!("string"),
        Type::List(e) => json!(["list", type_json(e)]),
        Type::Set(e) => json!(["set", type_json(e)]),
        Type::Map(e) => json!(["map", type_json(e)]),
        Type::Tuple(ts) => json!(["tuple", ts.iter().map(type_json).collect::<Vec<_>>()]),
        Type::Object(m) => json!([
            "object",
            m.iter()
                .map(|(k, v)| (k.clone(), type_json(v)))
                .collect::<serde_json::Map<_, _>>()
        ]),
        Type::ObjectConstraint(m) => json!([
            "object",
            m.iter()
                .map(|(k, a)| (k.clone(), type_json(&a.ty)))
                .collect::<serde_json::Map<_, _>>()
        ]),
    }
}

/// Parse cty's JSON type description back into a type.
pub fn type_from_json(j: &serde_json::Value) -> super::types::Type {
    use super::types::Type;
    match j {
        serde_json::Value::String(s) => match s.as_str() {
            "bool" => Type::Bool,
            "number" => Type::Number,
            "string" => Type::String,
            _ => Type::Dynamic,
        },
        serde_json::Value::Array(a) if a.len() == 2 => match a[0].as_str() {
            Some("list") => Type::list(type_from_json(&a[1])),
            Some("set") => Type::set(type_from_json(&a[1])),
            Some("map") => Type::map(type_from_json(&a[1])),
            Some("tuple") => Type::Tuple(
                a[1].as_array()
                    .map(|x| x.iter().map(type_from_json).collect())
                    .unwrap_or_default(),
            ),
            Some("object") => Type::Object(
                a[1].as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), type_from_json(v)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => Type::Dynamic,
        },
        _ => Type::Dynamic,
    }
}

/// A type as `terraform console`'s `type()` prints it: collections inline,
/// objects and tuples one element per line, four spaces deeper per level.
pub fn type_string(t: &super::types::Type) -> String {
    let mut out = String::new();
    write_type(t, 0, &mut out);
    out
}

fn write_type(t: &super::types::Type, indent: usize, out: &mut String) {
    use super::types::Type;
    let pad = |n: usize| " ".repeat(n * 4);
    match t {
        Type::Dynamic => out.push_str("dynamic"),
        Type::Bool => out.push_str("bool"),
        Type::Number => out.push_str("number"),
        Type::String => out.push_str("string"),
        Type::List(e) | Type::Set(e) | Type::Map(e) => {
            out.push_str(match t {
                Type::List(_) => "list(",
                Type::Set(_) => "set(",
                _ => "map(",
            });
            write_type(e, indent, out);
            out.push(')');
        }
        Type::Tuple(ts) => {
            if ts.is_empty() {
                out.push_str("tuple([])");
                return;
            }
            out.push_str("tuple([\n");
            for x in ts {
                out.push_str(&pad(indent + 1));
                write_type(x, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push_str("])");
        }
        Type::Object(m) => {
            if m.is_empty() {
                out.push_str("object({})");
                return;
            }
            out.push_str("object({\n");
            for (k, x) in m {
                out.push_str(&pad(indent + 1));
                out.push_str(k);
                out.push_str(": ");
                write_type(x, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&pad(indent));
            out.push_str("})");
        }
        Type::ObjectConstraint(_) => write_type(&super::convert::concrete(t), indent, out),
    }
}

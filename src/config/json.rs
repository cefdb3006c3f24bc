//! The JSON configuration syntax (`*.tf.json`), translated into native syntax
//! so the rest of herd sees one form. JSON strings are templates, as in
//! Terraform; a `"//"` key is a comment.

use serde_json::Value as J;

pub struct JsonError {
    pub msg: String,
    pub offset: usize,
}

pub fn json_to_hcl(text: &str) -> Result<String, JsonError> {
    let j: J = serde_json::from_str(text).map_err(|e| JsonError {
        msg: e.to_string(),
        offset: offset_of(text, e.line(), e.column()),
    })?;
    let obj = match &j {
        J::Object(o) => o,
        _ => {
            return Err(JsonError {
                msg: "The root of a JSON configuration file must be an object.".into(),
                offset: 0,
            })
        }
    };
    let mut out = String::new();
    for (kind, v) in obj {
        if kind == "//" {
            continue;
        }
        let labels = match kind.as_str() {
            "variable" | "output" | "module" | "provider" | "check" => 1,
            "resource" | "data" => 2,
            _ => 0,
        };
        emit_blocks(kind, v, labels, &mut vec![], &mut out)?;
    }
    Ok(out)
}

fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return off + col.saturating_sub(1).min(l.len());
        }
        off += l.len() + 1;
    }
    text.len()
}

fn emit_blocks(
    kind: &str,
    v: &J,
    labels_left: usize,
    labels: &mut Vec<String>,
    out: &mut String,
) -> Result<(), JsonError> {
    if labels_left > 0 {
        let o = v.as_object().ok_or_else(|| JsonError {
            msg: format!("A {kind} block in JSON must be an object keyed by its label."),
            offset: 0,
        })?;
        for (k, inner) in o {
            if k == "//" {
                continue;
            }
            labels.push(k.clone());
            emit_blocks(kind, inner, labels_left - 1, labels, out)?;
            labels.pop();
        }
        return Ok(());
    }
    let bodies: Vec<&J> = match v {
        J::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    for body in bodies {
        out.push_str(kind);
        for l in labels.iter() {
            out.push(' ');
            out.push_str(&quote(l));
        }
        out.push_str(" {\n");
        let o = body.as_object().ok_or_else(|| JsonError {
            msg: format!("The body of a {kind} block must be a JSON object."),
            offset: 0,
        })?;
        for (k, val) in o {
            if k == "//" {
                continue;
            }
            let nested_block = matches!(
                (kind, k.as_str()),
                ("terraform", "encryption")
                    | ("encryption", _)
                    | (
                        "state" | "plan" | "default" | "remote_state_data_source" | "fallback",
                        "fallback"
                    )
                    | (
                        "remote_state_data_sources",
                        "default" | "remote_state_data_source"
                    )
                    | ("key_provider", "endpoints")
                    | ("variable", "validation")
                    | ("output", "precondition")
                    | ("terraform", "required_providers")
                    | ("terraform", "backend")
                    | (_, "lifecycle")
                    | (_, "provisioner")
                    | (_, "connection")
            );
            if nested_block {
                let nl = match (kind, k.as_str()) {
                    ("encryption", "key_provider" | "method") => 2,
                    (_, "backend" | "provisioner" | "remote_state_data_source") => 1,
                    _ => 0,
                };
                emit_blocks(k, val, nl, &mut vec![], out)?;
            } else if kind == "variable" && k == "type" {
                // type is an expression given as a string
                let s = val.as_str().unwrap_or("any");
                out.push_str(&format!("  type = {s}\n"));
            } else if (kind == "locals")
                || !k
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            {
                out.push_str(&format!("  {} = {}\n", ident_or_quote(k), expr(val)));
            } else {
                out.push_str(&format!("  {k} = {}\n", expr(val)));
            }
        }
        out.push_str("}\n");
    }
    Ok(())
}

fn ident_or_quote(k: &str) -> String {
    k.to_string()
}

fn expr(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => template(s),
        J::Array(a) => format!("[{}]", a.iter().map(expr).collect::<Vec<_>>().join(", ")),
        J::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{} = {}", template(k), expr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A JSON string is a template: keep `${` and `%{` sequences, escape the rest.
fn template(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push('$'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

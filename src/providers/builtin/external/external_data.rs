//! Data source `external`: `program` (the executable and its arguments,
//! empty elements dropped, no shell) runs in `working_dir` with the
//! non-null `query` entries as a JSON object on standard input; its
//! standard output must be a JSON object of string values, which becomes
//! `result`. A failure is a diagnostic with the program's standard error.
//! `id` is "-".

use std::collections::BTreeMap;

use async_trait::async_trait;
use tokio::io::AsyncWriteExt;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_str, string_map, with};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct External {
    schema: Schema,
}

impl External {
    pub fn new() -> External {
        External {
            schema: Schema::new()
                .attr(
                    "program",
                    Attribute::required(Type::List(Box::new(Type::String))),
                )
                .attr("working_dir", Attribute::optional(Type::String))
                .attr("query", Attribute::optional(string_map()))
                .attr("result", Attribute::computed(string_map()))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for External {
    fn default() -> Self {
        External::new()
    }
}

/// The program's output as the provider reads it: a JSON object whose
/// values are all strings.
pub fn parse_result(out: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let v: serde_json::Value = serde_json::from_slice(out).map_err(|e| e.to_string())?;
    let obj = v
        .as_object()
        .ok_or_else(|| "json: cannot unmarshal a non-object into map[string]string".to_string())?;
    obj.iter()
        .map(|(k, v)| match v.as_str() {
            Some(s) => Ok((k.clone(), s.to_string())),
            None => Err(format!(
                "json: cannot unmarshal {v} into Go value of type string (key {k:?})"
            )),
        })
        .collect()
}

#[async_trait]
impl DataSource for External {
    fn type_name(&self) -> &'static str {
        "external"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        if get(config, "program").length() == Some(0) {
            return Err((
                "Invalid Attribute Value".into(),
                "Attribute program list must contain at least 1 elements, got: 0".into(),
            ));
        }
        Ok(())
    }
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let program: Vec<String> = get(config, "program")
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .filter(|s| !s.is_empty())
            .collect();
        let Some((exe, args)) = program.split_first() else {
            return Err(ProviderError::new("External Program Missing: The data source was configured without a program to execute. Verify the configuration contains at least one non-empty value."));
        };
        let query: serde_json::Map<String, serde_json::Value> = get(config, "query")
            .as_entries()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        v.as_str()
                            .map(|s| (k.clone(), serde_json::Value::String(s.to_string())))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let input = serde_json::Value::Object(query).to_string();
        let mut cmd = tokio::process::Command::new(exe);
        cmd.args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(d) = get_str(config, "working_dir").filter(|d| !d.is_empty()) {
            cmd.current_dir(d);
        }
        let mut child = cmd.spawn().map_err(|e| {
            ProviderError::new(format!(
                "External Program Lookup Failed: the program must be accessible and executable.\nProgram: {exe}\nError: {e}"
            ))
        })?;
        if let Some(mut stdin) = child.stdin.take() {
            // A program that does not read its input may close it early.
            let _ = stdin.write_all(input.as_bytes()).await;
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| ProviderError::new(format!("External Program Execution Failed: {e}")))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let msg = if stderr.is_empty() {
                format!("The data source received an unexpected error while attempting to execute the program.\n\nThe program was executed, however it returned no additional error messaging.\n\nProgram: {exe}\nState: {}", out.status)
            } else {
                format!("The data source received an unexpected error while attempting to execute the program.\n\nProgram: {exe}\nError Message: {stderr}\nState: {}", out.status)
            };
            return Err(ProviderError {
                code: Some("External Program Execution Failed".into()),
                message: msg,
                partial: None,
            });
        }
        let result = parse_result(&out.stdout).map_err(|e| ProviderError {
            code: Some("Unexpected External Program Results".into()),
            message: format!("The data source received unexpected results after executing the program.\n\nProgram output must be a JSON encoded map of string keys and string values.\n\nProgram: {exe}\nResult Error: {e}"),
            partial: None,
        })?;
        let result = Value::map(
            Type::String,
            result
                .into_iter()
                .map(|(k, v)| (k, Value::string(v)))
                .collect(),
        );
        let v = with(config, "result", result);
        Ok(with(&v, "id", Value::string("-")))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_must_be_objects_of_strings() {
        let r = super::parse_result(br#"{"a":"1","b":"x"}"#).unwrap();
        assert_eq!(r["a"], "1");
        assert!(super::parse_result(br#"{"a":1}"#).is_err());
        assert!(super::parse_result(br#"["a"]"#).is_err());
        assert!(super::parse_result(b"not json").is_err());
    }
}

//! Data source `terraform_remote_state` for the `local` backend: reads the
//! root outputs of another state file.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct RemoteState {
    schema: Schema,
}

impl RemoteState {
    pub fn new() -> RemoteState {
        RemoteState {
            schema: Schema::new()
                .attr("backend", Attribute::required(Type::String))
                .attr("config", Attribute::optional(Type::Dynamic))
                .attr("workspace", Attribute::optional(Type::String))
                .attr("defaults", Attribute::optional(Type::Dynamic))
                .attr("outputs", Attribute::computed(Type::Dynamic)),
        }
    }
}

impl Default for RemoteState {
    fn default() -> Self {
        RemoteState::new()
    }
}

fn get(v: &Value, k: &str) -> Value {
    v.as_entries()
        .and_then(|m| m.get(k).cloned())
        .unwrap_or_else(Value::null)
}

#[async_trait]
impl DataSource for RemoteState {
    fn type_name(&self) -> &'static str {
        "terraform_remote_state"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let backend = get(config, "backend");
        if backend.as_str() != Some("local") {
            return Err(ProviderError::new(format!(
                "herd reads remote state from the \"local\" backend only; {:?} is not supported.",
                backend.as_str().unwrap_or("")
            )));
        }
        let cfg = get(config, "config");
        let ws = get(config, "workspace")
            .as_str()
            .unwrap_or("default")
            .to_string();
        let path = match get(&cfg, "path").as_str() {
            Some(p) => std::path::PathBuf::from(p),
            None if ws == "default" => std::path::PathBuf::from("terraform.tfstate"),
            None => std::path::PathBuf::from("terraform.tfstate.d")
                .join(&ws)
                .join("terraform.tfstate"),
        };
        // OpenTofu names the data source for remote_state_data_sources by
        // its address without "data.terraform_remote_state." and "module.".
        let name = ctx
            .address
            .replacen("data.terraform_remote_state.", "", 1)
            .trim_start_matches("module.")
            .to_string();
        let st = crate::state::read_with(&path, &|b| {
            crate::encryption::decrypt_remote_state(&name, b)
        })
        .map_err(|e| ProviderError::new(e.to_string()))?;
        let mut outputs: BTreeMap<String, Value> = get(config, "defaults")
            .as_entries()
            .cloned()
            .unwrap_or_default();
        if let Some(st) = st {
            for (k, o) in st.outputs {
                let ty = crate::lang::render::type_from_json(&o.ty);
                outputs.insert(
                    k,
                    crate::lang::json::from_json_typed(&o.value, &ty).mark(o.sensitive),
                );
            }
        } else if get(config, "defaults").is_null() {
            return Err(ProviderError::new(format!(
                "Unable to find remote state: no state file at {}.",
                path.display()
            )));
        }
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("outputs".into(), Value::object(outputs));
        Ok(Value::object(out))
    }
}

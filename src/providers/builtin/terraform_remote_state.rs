//! Data source `terraform_remote_state`: reads the root outputs of another
//! configuration's state, from the `local` backend (a file) or the `s3`
//! backend (through the same state manager as `backend "s3"`), in
//! `workspace`, with `defaults` for outputs it lacks.

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
        let backend = get(config, "backend").as_str().unwrap_or("").to_string();
        let cfg = get(config, "config");
        let ws = get(config, "workspace")
            .as_str()
            .unwrap_or("default")
            .to_string();
        let cfg_json: serde_json::Value = if cfg.is_null() {
            serde_json::Value::Object(Default::default())
        } else {
            serde_json::from_str(&crate::lang::json::to_json_string(&cfg.unmark_deep()))
                .map_err(|e| ProviderError::new(e.to_string()))?
        };
        // OpenTofu names the data source for remote_state_data_sources by
        // its address without "data.terraform_remote_state." and "module.".
        let name = ctx
            .address
            .replacen("data.terraform_remote_state.", "", 1)
            .trim_start_matches("module.")
            .to_string();
        // The backend and its requests live on a plain thread: the S3
        // manager runs its own runtime, which may not be dropped here.
        let where_ = format!("{backend} backend, workspace {ws:?}");
        let st = std::thread::spawn(move || {
            crate::state::with_remote_state_decryption(&name, || {
                read_remote(&backend, &cfg_json, &ws)
            })
        })
        .join()
        .map_err(|_| ProviderError::new("reading the remote state failed"))??;
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
                "Unable to find remote state: no state in the {where_}."
            )));
        }
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("outputs".into(), Value::object(outputs));
        Ok(Value::object(out))
    }
}

/// The state the `backend` with configuration `cfg` holds for `ws`.
fn read_remote(
    backend: &str,
    cfg: &serde_json::Value,
    ws: &str,
) -> Result<Option<crate::state::State>, ProviderError> {
    use crate::state::backend;
    if !backend::IMPLEMENTED.contains(&backend) {
        let d = backend::unsupported(backend, None);
        return Err(ProviderError::new(format!("{}: {}", d.summary, d.detail)));
    }
    let over = cfg.as_object().cloned().unwrap_or_default();
    let cfg = backend::merge(backend, Default::default(), over)
        .map_err(|d| ProviderError::new(format!("{}: {}", d.summary, d.detail)))?;
    let b = backend::instantiate(std::path::Path::new("."), backend, &cfg)
        .map_err(|d| ProviderError::new(format!("{}: {}", d.summary, d.detail)))?;
    b.state_mgr(ws)
        .read()
        .map_err(|e| ProviderError::new(e.to_string()))
}

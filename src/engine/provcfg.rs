//! Provider configurations: the root module's `provider` blocks, evaluated
//! once per run against the provider's schema, and the [`ProviderCtx`] each
//! resource operation gets (by the resource's `provider = NAME.ALIAS`, or
//! the provider address recorded in state).

use std::collections::BTreeMap;

use crate::config::Module;
use crate::diag::Diagnostics;
use crate::engine::decode::Decoder;
use crate::engine::modeval::World;
use crate::lang::value::Value;
use crate::providers::{registry, ProviderCtx, Registry};

/// Evaluated provider blocks, keyed `NAME` or `NAME.ALIAS`.
#[derive(Clone, Debug, Default)]
pub struct ProviderConfigs {
    configs: BTreeMap<String, Value>,
}

impl ProviderConfigs {
    /// Evaluate the root module's provider blocks that herd has a schema for.
    pub fn evaluate(root: &Module, world: &World) -> (ProviderConfigs, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut configs = BTreeMap::new();
        let view = world.root_view();
        for p in &root.providers {
            let Some(schema) = registry().provider_schemas.get(p.name.as_str()) else {
                continue;
            };
            let mut dec = Decoder {
                view: &view,
                file: p.file.clone(),
                context: Some(format!("provider {:?}", p.name)),
                scopes: vec![],
            };
            match dec.decode(&p.body, schema) {
                Ok(v) => {
                    let key = match &p.alias {
                        Some(a) => format!("{}.{a}", p.name),
                        None => p.name.clone(),
                    };
                    configs.insert(key, v.unmark_deep());
                }
                Err(d) => diags.extend(d),
            }
        }
        (ProviderConfigs { configs }, diags)
    }

    /// The context for an operation on resource type `ty` through the
    /// provider configuration `alias` (None: the default one).
    pub fn ctx(&self, ty: &str, alias: Option<&str>, address: String) -> ProviderCtx {
        let name = Registry::provider_of(ty);
        let key = match alias {
            Some(a) => format!("{name}.{a}"),
            None => name.to_string(),
        };
        ProviderCtx {
            config: self.configs.get(&key).cloned(),
            address,
        }
    }

    /// Like [`ctx`](Self::ctx), from a provider address as state records it
    /// (`provider["registry.terraform.io/hashicorp/aws"].west`).
    pub fn ctx_for_addr(&self, ty: &str, provider_addr: &str, address: String) -> ProviderCtx {
        self.ctx(ty, alias_of(provider_addr), address)
    }
}

/// The alias of a provider address, if any.
pub fn alias_of(provider_addr: &str) -> Option<&str> {
    provider_addr
        .rsplit_once("\"]")
        .and_then(|(_, rest)| rest.strip_prefix('.'))
        .filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::alias_of;

    #[test]
    fn alias_from_provider_address() {
        assert_eq!(
            alias_of("provider[\"registry.terraform.io/hashicorp/aws\"].west"),
            Some("west")
        );
        assert_eq!(
            alias_of("provider[\"registry.terraform.io/hashicorp/aws\"]"),
            None
        );
        assert_eq!(alias_of(""), None);
    }
}

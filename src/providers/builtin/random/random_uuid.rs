//! `random_uuid`: 16 random bytes in the 8-4-4-4-12 hex form, as
//! hashicorp/go-uuid's `GenerateUUID` writes them (no version or variant
//! bits set). Import takes a UUID and stores it in that canonical form.

use async_trait::async_trait;
use rand::RngCore;

use super::{keepers, keepers_forces};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{digest, get, object, string_map};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomUuid {
    schema: Schema,
}

impl RandomUuid {
    pub fn new() -> RandomUuid {
        RandomUuid {
            schema: Schema::new()
                .attr("keepers", keepers())
                .attr("result", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RandomUuid {
    fn default() -> Self {
        RandomUuid::new()
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` of 16 bytes.
pub fn format_uuid(b: &[u8; 16]) -> String {
    let h = digest::hex(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// go-uuid's ParseUUID: 36 characters, dashes at 8, 13, 18, 23, hex between.
pub fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    if s.len() != 36 {
        return None;
    }
    let b = s.as_bytes();
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[async_trait]
impl Resource for RandomUuid {
    fn type_name(&self) -> &'static str {
        "random_uuid"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        keepers_forces(attr, prior, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let mut b = [0u8; 16];
        rand::rng().fill_bytes(&mut b);
        let u = format_uuid(&b);
        Ok(object(
            &self.schema,
            vec![
                ("id", Value::string(u.clone())),
                ("result", Value::string(u)),
                ("keepers", get(planned, "keepers")),
            ],
        ))
    }
    async fn read(
        &self,
        _ctx: &ProviderCtx,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }
    async fn update(
        &self,
        _ctx: &ProviderCtx,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }
    async fn delete(&self, _ctx: &ProviderCtx, _prior: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
    async fn import(&self, _ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let b = parse_uuid(id).ok_or_else(|| {
            ProviderError::new(format!(
                "Import Random UUID Error: There was an error during the parsing of the UUID {id:?}."
            ))
        })?;
        let u = format_uuid(&b);
        Ok(object(
            &self.schema,
            vec![
                ("id", Value::string(u.clone())),
                ("result", Value::string(u)),
                ("keepers", Value::null_of(string_map())),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_round_trip() {
        let b = super::parse_uuid("0123ABCD-4567-89ab-cdef-0123456789AB").unwrap();
        assert_eq!(
            super::format_uuid(&b),
            "0123abcd-4567-89ab-cdef-0123456789ab"
        );
        assert!(super::parse_uuid("0123abcd4567-89ab-cdef-0123456789ab0").is_none());
        assert!(super::parse_uuid("zz23abcd-4567-89ab-cdef-0123456789ab").is_none());
    }
}

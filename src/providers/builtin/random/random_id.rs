//! `random_id`: `byte_length` random bytes, kept in state with their
//! encodings: `b64_url` (unpadded URL-safe base64, also the `id`),
//! `b64_std` (padded standard base64), `hex` and `dec` (big-endian
//! decimal), each after `prefix`. Import takes `B64URL` or `PREFIX,B64URL`.

use async_trait::async_trait;
use base64::Engine;
use rand::RngCore;

use super::{keepers, keepers_forces};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_i64, get_str, object};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomId {
    schema: Schema,
}

impl RandomId {
    pub fn new() -> RandomId {
        RandomId {
            schema: Schema::new()
                .attr("keepers", keepers())
                .attr("byte_length", Attribute::required(Type::Number).force_new())
                .attr("prefix", Attribute::optional(Type::String).force_new())
                .attr("b64_url", Attribute::computed(Type::String))
                .attr("b64_std", Attribute::computed(Type::String))
                .attr("hex", Attribute::computed(Type::String))
                .attr("dec", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RandomId {
    fn default() -> Self {
        RandomId::new()
    }
}

/// The four encodings of `bytes` (without prefix): b64_url, b64_std, hex, dec.
pub fn encodings(bytes: &[u8]) -> (String, String, String, String) {
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let std = base64::engine::general_purpose::STANDARD.encode(bytes);
    let hex = crate::providers::builtin::digest::hex(bytes);
    let dec = num_bigint::BigUint::from_bytes_be(bytes).to_string();
    (url, std, hex, dec)
}

fn state_of(schema: &Schema, keepers: Value, prefix: Option<String>, bytes: &[u8]) -> Value {
    let (url, std, hex, dec) = encodings(bytes);
    let p = prefix.clone().unwrap_or_default();
    object(
        schema,
        vec![
            ("id", Value::string(url.clone())),
            ("keepers", keepers),
            ("byte_length", Value::int(bytes.len() as i64)),
            (
                "prefix",
                prefix
                    .map(Value::string)
                    .unwrap_or(Value::null_of(Type::String)),
            ),
            ("b64_url", Value::string(format!("{p}{url}"))),
            ("b64_std", Value::string(format!("{p}{std}"))),
            ("hex", Value::string(format!("{p}{hex}"))),
            ("dec", Value::string(format!("{p}{dec}"))),
        ],
    )
}

#[async_trait]
impl Resource for RandomId {
    fn type_name(&self) -> &'static str {
        "random_id"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        keepers_forces(attr, prior, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let n = get_i64(planned, "byte_length").unwrap_or(0);
        if !(0..=1 << 20).contains(&n) {
            return Err(ProviderError::new(format!(
                "Randomness Generation Error: byte_length {n} is out of range"
            )));
        }
        let mut bytes = vec![0u8; n as usize];
        rand::rng().fill_bytes(&mut bytes);
        Ok(state_of(
            &self.schema,
            get(planned, "keepers"),
            get_str(planned, "prefix"),
            &bytes,
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
        let (prefix, b64) = match id.rfind(',') {
            Some(i) => (Some(id[..i].to_string()), &id[i + 1..]),
            None => (None, id),
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|e| {
                ProviderError::new(format!(
                    "While attempting to import a random id there was a decoding error. Original Error: {e}"
                ))
            })?;
        let prefix = prefix.filter(|p| !p.is_empty());
        Ok(state_of(
            &self.schema,
            Value::null_of(crate::providers::builtin::string_map()),
            prefix,
            &bytes,
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodings_of_known_bytes() {
        let (url, std, hex, dec) = super::encodings(&[0xfb, 0xff, 0x01, 0x00]);
        assert_eq!(url, "-_8BAA");
        assert_eq!(std, "+/8BAA==");
        assert_eq!(hex, "fbff0100");
        assert_eq!(dec, "4227793152");
        let (url, _, hex, dec) = super::encodings(&[0, 0, 7]);
        assert_eq!(
            (url.as_str(), hex.as_str(), dec.as_str()),
            ("AAAH", "000007", "7")
        );
    }
}

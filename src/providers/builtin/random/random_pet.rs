//! `random_pet`: a random name of `length` words joined by `separator`
//! (default 2 and "-"): an animal, after an adjective, after adverbs for
//! the words beyond two; `prefix` goes first. The name is the `id`. No
//! import. The words are herd's own (see `words`).

use async_trait::async_trait;
use rand::seq::IndexedRandom;

use super::words::{ADJECTIVES, ADVERBS, ANIMALS};
use super::{keepers, keepers_forces};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_i64, get_str, object};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomPet {
    schema: Schema,
}

impl RandomPet {
    pub fn new() -> RandomPet {
        RandomPet {
            schema: Schema::new()
                .attr("keepers", keepers())
                .attr(
                    "length",
                    Attribute::optional_computed(Type::Number)
                        .default(Value::int(2))
                        .force_new(),
                )
                .attr("prefix", Attribute::optional(Type::String).force_new())
                .attr(
                    "separator",
                    Attribute::optional_computed(Type::String)
                        .default(Value::string("-"))
                        .force_new(),
                )
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RandomPet {
    fn default() -> Self {
        RandomPet::new()
    }
}

/// A pet name of `words` words (as golang-petname's `Generate` shapes it).
pub fn pet_name(words: usize, sep: &str, rng: &mut impl rand::Rng) -> String {
    let pick = |l: &[&'static str], rng: &mut _| *l.choose(rng).expect("non-empty list");
    let mut parts: Vec<&str> = vec![];
    match words {
        1 => parts.push(pick(ANIMALS, rng)),
        // 0 too, as golang-petname: no adverbs, adjective and name.
        n => {
            for _ in 0..n.saturating_sub(2) {
                parts.push(pick(ADVERBS, rng));
            }
            parts.push(pick(ADJECTIVES, rng));
            parts.push(pick(ANIMALS, rng));
        }
    }
    parts.join(sep)
}

#[async_trait]
impl Resource for RandomPet {
    fn type_name(&self) -> &'static str {
        "random_pet"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        keepers_forces(attr, prior, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let length = get_i64(planned, "length").unwrap_or(2);
        if !(0..=1000).contains(&length) {
            return Err(ProviderError::new(format!(
                "length {length} is out of range"
            )));
        }
        let sep = get_str(planned, "separator").unwrap_or_else(|| "-".into());
        let mut name = pet_name(length as usize, &sep, &mut rand::rng()).to_lowercase();
        let prefix = get_str(planned, "prefix").filter(|p| !p.is_empty());
        if let Some(p) = &prefix {
            name = format!("{p}{sep}{name}");
        }
        Ok(object(
            &self.schema,
            vec![
                ("id", Value::string(name)),
                ("keepers", get(planned, "keepers")),
                ("length", Value::int(length)),
                ("separator", Value::string(sep)),
                (
                    "prefix",
                    prefix
                        .map(Value::string)
                        .unwrap_or(Value::null_of(Type::String)),
                ),
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
}

#[cfg(test)]
mod tests {
    use super::super::words::{ADJECTIVES, ADVERBS, ANIMALS};

    #[test]
    fn names_have_the_petname_shape() {
        let mut rng = rand::rng();
        let n = super::pet_name(1, "-", &mut rng);
        assert!(ANIMALS.contains(&n.as_str()));
        let n = super::pet_name(2, "_", &mut rng);
        let p: Vec<&str> = n.split('_').collect();
        assert!(ADJECTIVES.contains(&p[0]) && ANIMALS.contains(&p[1]), "{n}");
        let n = super::pet_name(4, "-", &mut rng);
        let p: Vec<&str> = n.split('-').collect();
        assert_eq!(p.len(), 4);
        assert!(ADVERBS.contains(&p[0]) && ADVERBS.contains(&p[1]));
        assert!(ADJECTIVES.contains(&p[2]) && ANIMALS.contains(&p[3]));
        for w in ADVERBS.iter().chain(ADJECTIVES).chain(ANIMALS) {
            assert!(w.chars().all(|c| c.is_ascii_lowercase()), "{w}");
        }
    }
}

//! `random_shuffle`: a random permutation of `input` (repeated permutations
//! when `result_count` exceeds its length, cut to `result_count`), from the
//! seeded generator when `seed` is set. `id` is "-". No import.

use async_trait::async_trait;
use rand::seq::SliceRandom;

use super::{keepers, keepers_forces, seeded_rng};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_i64, get_str, with};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomShuffle {
    schema: Schema,
}

impl RandomShuffle {
    pub fn new() -> RandomShuffle {
        let list = || Type::List(Box::new(Type::String));
        RandomShuffle {
            schema: Schema::new()
                .attr("keepers", keepers())
                .attr("seed", Attribute::optional(Type::String).force_new())
                .attr("input", Attribute::required(list()).force_new())
                .attr(
                    "result_count",
                    Attribute::optional(Type::Number).force_new(),
                )
                .attr("result", Attribute::computed(list()))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RandomShuffle {
    fn default() -> Self {
        RandomShuffle::new()
    }
}

/// `count` elements of `input` in random order, whole permutations one
/// after another.
pub fn shuffle<T: Clone>(input: &[T], count: usize, rng: &mut impl rand::Rng) -> Vec<T> {
    let mut out = Vec::with_capacity(count);
    if input.is_empty() {
        return out;
    }
    while out.len() < count {
        let mut perm: Vec<usize> = (0..input.len()).collect();
        perm.shuffle(rng);
        for i in perm {
            if out.len() == count {
                break;
            }
            out.push(input[i].clone());
        }
    }
    out
}

#[async_trait]
impl Resource for RandomShuffle {
    fn type_name(&self) -> &'static str {
        "random_shuffle"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        keepers_forces(attr, prior, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let input: Vec<Value> = get(planned, "input")
            .as_seq()
            .map(|s| s.to_vec())
            .unwrap_or_default();
        let count = match get_i64(planned, "result_count") {
            Some(n) if n < 0 => {
                return Err(ProviderError::new("result_count must not be negative"))
            }
            Some(n) => n as usize,
            None => input.len(),
        };
        let seed = get_str(planned, "seed");
        let result = shuffle(&input, count, &mut seeded_rng(seed.as_deref()));
        let v = with(planned, "id", Value::string("-"));
        Ok(with(&v, "result", Value::list(Type::String, result)))
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
    use rand::SeedableRng;

    #[test]
    fn shuffles_are_permutations_repeated_to_the_count() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let input = ["a", "b", "c"];
        let mut r = super::shuffle(&input, 3, &mut rng);
        r.sort();
        assert_eq!(r, input);
        let r = super::shuffle(&input, 7, &mut rng);
        assert_eq!(r.len(), 7);
        let mut first: Vec<_> = r[..3].to_vec();
        first.sort();
        assert_eq!(first, input);
        assert!(super::shuffle::<&str>(&[], 4, &mut rng).is_empty());
        assert_eq!(super::shuffle(&input, 0, &mut rng).len(), 0);
    }
}

//! The `random` provider (registry.terraform.io/hashicorp/random), built in:
//! `random_id`, `random_string`, `random_password`, `random_pet`,
//! `random_integer`, `random_shuffle` and `random_uuid`. Every argument
//! forces replacement, reads never change anything (the values live only in
//! state), and `keepers` follows the provider's "replace unless only null
//! values were added" rule. This module holds what the types share: the
//! character-set string generator of `random_string`/`random_password`, the
//! seeded generator of `random_integer`/`random_shuffle`, and the schema
//! pieces. Learned from the provider's source (internal/random/string.go,
//! internal/random/seed.go, internal/provider/resource_*.go), not copied.

pub mod random_id;
pub mod random_integer;
pub mod random_password;
pub mod random_pet;
pub mod random_shuffle;
pub mod random_string;
pub mod random_uuid;
mod words;

use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{get, get_bool, get_i64, get_str, string_map};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::{Attribute, Registry, Schema};

/// The hashicorp/random version whose schemas and behaviour herd follows.
pub const VERSION: &str = "3.9.0";

pub fn register(r: &mut Registry) {
    r.resources
        .insert("random_id", Arc::new(random_id::RandomId::new()));
    r.resources.insert(
        "random_string",
        Arc::new(random_string::RandomString::new()),
    );
    r.resources.insert(
        "random_password",
        Arc::new(random_password::RandomPassword::new()),
    );
    r.resources
        .insert("random_pet", Arc::new(random_pet::RandomPet::new()));
    r.resources.insert(
        "random_integer",
        Arc::new(random_integer::RandomInteger::new()),
    );
    r.resources.insert(
        "random_shuffle",
        Arc::new(random_shuffle::RandomShuffle::new()),
    );
    r.resources
        .insert("random_uuid", Arc::new(random_uuid::RandomUuid::new()));
}

/// `keepers`: an optional map of strings whose change replaces the object.
pub(crate) fn keepers() -> Attribute {
    Attribute::optional(string_map()).force_new()
}

pub const NUMERIC_CHARS: &str = "0123456789";
pub const LOWER_CHARS: &str = "abcdefghijklmnopqrstuvwxyz";
pub const UPPER_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The provider's default special characters.
pub const SPECIAL_CHARS: &str = "!@#$%&*()-_=+[]{}<>:?";

/// The arguments of a `random_string` / `random_password`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringParams {
    pub length: i64,
    pub upper: bool,
    pub min_upper: i64,
    pub lower: bool,
    pub min_lower: i64,
    pub numeric: bool,
    pub min_numeric: i64,
    pub special: bool,
    pub min_special: i64,
    pub override_special: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StringError {
    #[error("the character set specified is empty")]
    EmptyCharset,
    #[error("the length {0} is out of range")]
    BadLength(i64),
}

impl StringParams {
    /// From a planned object (defaults already applied).
    pub fn from_value(v: &Value) -> StringParams {
        StringParams {
            length: get_i64(v, "length").unwrap_or(0),
            upper: get_bool(v, "upper").unwrap_or(true),
            min_upper: get_i64(v, "min_upper").unwrap_or(0),
            lower: get_bool(v, "lower").unwrap_or(true),
            min_lower: get_i64(v, "min_lower").unwrap_or(0),
            numeric: get_bool(v, "numeric")
                .or_else(|| get_bool(v, "number"))
                .unwrap_or(true),
            min_numeric: get_i64(v, "min_numeric").unwrap_or(0),
            special: get_bool(v, "special").unwrap_or(true),
            min_special: get_i64(v, "min_special").unwrap_or(0),
            override_special: get_str(v, "override_special").unwrap_or_default(),
        }
    }

    /// The characters the result is drawn from.
    pub fn charset(&self) -> String {
        let mut chars = String::new();
        if self.upper {
            chars.push_str(UPPER_CHARS);
        }
        if self.lower {
            chars.push_str(LOWER_CHARS);
        }
        if self.numeric {
            chars.push_str(NUMERIC_CHARS);
        }
        if self.special {
            chars.push_str(self.special_chars());
        }
        chars
    }

    pub fn special_chars(&self) -> &str {
        if self.override_special.is_empty() {
            SPECIAL_CHARS
        } else {
            &self.override_special
        }
    }
}

/// Generate a string as the provider does: `min_*` characters drawn from
/// each class first (whether or not the class is enabled, like the
/// provider), the rest from the whole character set, then shuffled.
/// Lengths count characters (runes), as the provider's do.
pub fn create_string(p: &StringParams, rng: &mut impl Rng) -> Result<String, StringError> {
    if p.length < 0 || p.length > 1 << 20 {
        return Err(StringError::BadLength(p.length));
    }
    let chars: Vec<char> = p.charset().chars().collect();
    if chars.is_empty() {
        return Err(StringError::EmptyCharset);
    }
    let mut out: Vec<char> = Vec::with_capacity(p.length as usize);
    for (set, n) in [
        (NUMERIC_CHARS, p.min_numeric),
        (LOWER_CHARS, p.min_lower),
        (UPPER_CHARS, p.min_upper),
        (p.special_chars(), p.min_special),
    ] {
        let set: Vec<char> = set.chars().collect();
        for _ in 0..n.max(0) {
            out.push(set[rng.random_range(0..set.len())]);
        }
    }
    let rest = p.length - out.len() as i64;
    for _ in 0..rest.max(0) {
        out.push(chars[rng.random_range(0..chars.len())]);
    }
    out.shuffle(rng);
    Ok(out.into_iter().collect())
}

/// The provider's plan-time validators of the string arguments.
pub fn validate_string(config: &Value) -> Result<(), (String, String)> {
    let bad = |d: String| Err(("Invalid Attribute Value".to_string(), d));
    let length = get_i64(config, "length").unwrap_or(0);
    if length < 1 {
        return bad(format!(
            "Attribute length value must be at least 1, got: {length}"
        ));
    }
    let mins: i64 = ["min_upper", "min_lower", "min_numeric", "min_special"]
        .iter()
        .map(|k| get_i64(config, k).unwrap_or(0))
        .sum();
    if length < mins {
        return bad(format!("Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special, got: {length}"));
    }
    if let (Some(a), Some(b)) = (get_bool(config, "number"), get_bool(config, "numeric")) {
        if a != b {
            return Err((
                "Number and numeric are both configured with different values".into(),
                "Number is deprecated, use numeric instead".into(),
            ));
        }
    }
    let all_false = ["special", "upper", "lower", "numeric"].iter().all(|k| {
        let v = get_bool(config, k).or_else(|| {
            if *k == "numeric" {
                get_bool(config, "number")
            } else {
                None
            }
        });
        v == Some(false)
    });
    if all_false {
        return bad(
            "At least one attribute out of [special upper lower numeric] must be specified as true"
                .into(),
        );
    }
    Ok(())
}

/// The schema `random_string` and `random_password` share (the password
/// adds `bcrypt_hash` and marks `result` sensitive).
pub(crate) fn string_schema() -> Schema {
    let flag = || {
        Attribute::optional_computed(Type::Bool)
            .default(Value::bool(true))
            .force_new()
    };
    let min = || {
        Attribute::optional_computed(Type::Number)
            .default(Value::int(0))
            .force_new()
    };
    Schema::new()
        .attr("keepers", keepers())
        .attr("length", Attribute::required(Type::Number).force_new())
        .attr("special", flag())
        .attr("upper", flag())
        .attr("lower", flag())
        .attr(
            "number",
            Attribute::optional_computed(Type::Bool).force_new(),
        )
        .attr(
            "numeric",
            Attribute::optional_computed(Type::Bool).force_new(),
        )
        .attr("min_numeric", min())
        .attr("min_upper", min())
        .attr("min_lower", min())
        .attr("min_special", min())
        .attr(
            "override_special",
            Attribute::optional(Type::String).force_new(),
        )
        .attr("result", Attribute::computed(Type::String))
        .attr("id", Attribute::computed(Type::String))
}

/// `number` and `numeric` kept in step (the provider's
/// NumberNumericAttributePlanModifier): each is the configured one, or
/// true when neither is configured.
pub(crate) fn plan_number_numeric(config: &Value, planned: Value) -> Value {
    let v = get_bool(config, "numeric")
        .or_else(|| get_bool(config, "number"))
        .unwrap_or(true);
    let planned = super::with(&planned, "number", Value::bool(v));
    super::with(&planned, "numeric", Value::bool(v))
}

/// Replacement rules of the string types beyond plain force-new: keepers
/// (only null values added: no), and `override_special` going from "" to
/// null (no).
pub(crate) fn string_forces(attr: &str, prior: &Value, planned: &Value) -> bool {
    match attr {
        "keepers" => super::map_change_forces(&get(prior, attr), &get(planned, attr)),
        "override_special" => {
            let cfg = get(planned, attr);
            !(cfg.is_null() && get_str(prior, attr).as_deref() == Some(""))
        }
        _ => true,
    }
}

/// Replacement by `keepers` for the types whose only such rule it is.
pub(crate) fn keepers_forces(attr: &str, prior: &Value, planned: &Value) -> bool {
    attr != "keepers" || super::map_change_forces(&get(prior, attr), &get(planned, attr))
}

/// Go's `hash/crc64` checksum with the ISO table, as the provider turns a
/// `seed` string into a number.
pub fn crc64_iso(data: &[u8]) -> u64 {
    const POLY: u64 = 0xD800_0000_0000_0000;
    let mut table = [0u64; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u64;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ POLY } else { c >> 1 };
        }
        *t = c;
    }
    let mut crc = !0u64;
    for &b in data {
        crc = table[((crc as u8) ^ b) as usize] ^ (crc >> 8);
    }
    !crc
}

/// The generator for `seed`: deterministic for a given seed string (from
/// its CRC-64 like the provider), fresh entropy without one. The sequence
/// is herd's own (the provider uses Go's math/rand), so a seed gives the
/// same result on every herd run, not the same one as the Go provider.
pub fn seeded_rng(seed: Option<&str>) -> rand::rngs::StdRng {
    match seed {
        Some(s) if !s.is_empty() => rand::rngs::StdRng::seed_from_u64(crc64_iso(s.as_bytes())),
        _ => rand::rngs::StdRng::from_os_rng(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(length: i64) -> StringParams {
        StringParams {
            length,
            upper: true,
            lower: true,
            numeric: true,
            special: true,
            ..Default::default()
        }
    }

    #[test]
    fn charset_follows_flags_and_override() {
        let mut p = params(10);
        assert_eq!(
            p.charset(),
            format!("{UPPER_CHARS}{LOWER_CHARS}{NUMERIC_CHARS}{SPECIAL_CHARS}")
        );
        p.override_special = "_%@".into();
        p.upper = false;
        p.numeric = false;
        assert_eq!(p.charset(), format!("{LOWER_CHARS}_%@"));
        p.special = false;
        p.lower = false;
        assert_eq!(p.charset(), "");
        assert_eq!(
            create_string(&p, &mut rand::rng()),
            Err(StringError::EmptyCharset)
        );
    }

    #[test]
    fn strings_have_the_length_and_the_minimums() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let p = StringParams {
                min_upper: 3,
                min_numeric: 4,
                min_special: 2,
                override_special: "#".into(),
                ..params(12)
            };
            let s = create_string(&p, &mut rng).unwrap();
            assert_eq!(s.chars().count(), 12);
            assert!(s.chars().filter(|c| c.is_ascii_uppercase()).count() >= 3);
            assert!(s.chars().filter(|c| c.is_ascii_digit()).count() >= 4);
            assert!(s.chars().filter(|c| *c == '#').count() >= 2);
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '#'));
        }
        // A minimum of a disabled class still draws from it (as the provider).
        let p = StringParams {
            upper: false,
            min_upper: 2,
            special: false,
            ..params(5)
        };
        let s = create_string(&p, &mut rng).unwrap();
        assert_eq!(s.chars().filter(|c| c.is_ascii_uppercase()).count(), 2);
        // Multi-byte override characters count as one each.
        let p = StringParams {
            upper: false,
            lower: false,
            numeric: false,
            override_special: "éü".into(),
            ..params(6)
        };
        let s = create_string(&p, &mut rng).unwrap();
        assert_eq!(s.chars().count(), 6);
        assert!(s.chars().all(|c| c == 'é' || c == 'ü'));
    }

    #[test]
    fn crc64_matches_go_iso_table() {
        // Check value of CRC-64/GO-ISO for "123456789".
        assert_eq!(crc64_iso(b"123456789"), 0xB909_56C7_75A4_1001);
        assert_eq!(crc64_iso(b""), 0);
    }

    #[test]
    fn seeds_are_deterministic() {
        let mut r1 = seeded_rng(Some("x"));
        let mut r2 = seeded_rng(Some("x"));
        let mut r3 = seeded_rng(Some("y"));
        let v1: Vec<u64> = (0..4).map(|_| r1.random()).collect();
        let v2: Vec<u64> = (0..4).map(|_| r2.random()).collect();
        let v3: Vec<u64> = (0..4).map(|_| r3.random()).collect();
        assert_eq!(v1, v2);
        assert_ne!(v1, v3);
    }
}

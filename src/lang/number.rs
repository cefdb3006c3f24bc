//! Numbers with Terraform's semantics: binary floating point with a 512-bit
//! mantissa, rounded to nearest-even, printed as the shortest decimal that
//! reads back to the same value (Go's `big.Float.Text('f', -1)`).
//!
//! PLACEHOLDER: f64-backed until the real implementation lands.

use num_bigint::BigInt;
use std::cmp::Ordering;
use std::fmt;

/// Errors of arithmetic that has no defined result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumError {
    #[error("division by zero")]
    DivByZero,
    #[error("the result is not a number")]
    NaN,
}

#[derive(Clone, Debug)]
pub struct Number(f64);

impl Number {
    pub fn from_i64(i: i64) -> Number {
        Number(i as f64)
    }
    pub fn from_u64(u: u64) -> Number {
        Number(u as f64)
    }
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            None
        } else {
            Some(Number(f))
        }
    }
    pub fn from_bigint(i: &BigInt) -> Number {
        Number(i.to_string().parse().unwrap_or(0.0))
    }
    pub fn parse(s: &str) -> Option<Number> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number)
    }
    pub fn to_f64(&self) -> f64 {
        self.0
    }
    pub fn to_i64(&self) -> Option<i64> {
        if self.is_integer() && self.0.abs() < 9.2e18 {
            Some(self.0 as i64)
        } else {
            None
        }
    }
    pub fn to_bigint(&self) -> Option<BigInt> {
        self.to_i64().map(BigInt::from)
    }
    pub fn is_integer(&self) -> bool {
        self.0.is_finite() && self.0.fract() == 0.0
    }
    pub fn is_zero(&self) -> bool {
        self.0 == 0.0
    }
    pub fn is_negative(&self) -> bool {
        self.0 < 0.0
    }
    pub fn is_infinite(&self) -> bool {
        self.0.is_infinite()
    }
    pub fn add(&self, o: &Number) -> Number {
        Number(self.0 + o.0)
    }
    pub fn sub(&self, o: &Number) -> Number {
        Number(self.0 - o.0)
    }
    pub fn mul(&self, o: &Number) -> Number {
        Number(self.0 * o.0)
    }
    pub fn div(&self, o: &Number) -> Result<Number, NumError> {
        if o.0 == 0.0 {
            return Err(NumError::DivByZero);
        }
        Ok(Number(self.0 / o.0))
    }
    pub fn rem(&self, o: &Number) -> Result<Number, NumError> {
        if o.0 == 0.0 {
            return Err(NumError::DivByZero);
        }
        Ok(Number(self.0 % o.0))
    }
    pub fn neg(&self) -> Number {
        Number(-self.0)
    }
    pub fn abs(&self) -> Number {
        Number(self.0.abs())
    }
    pub fn floor(&self) -> Number {
        Number(self.0.floor())
    }
    pub fn ceil(&self) -> Number {
        Number(self.0.ceil())
    }
    pub fn signum(&self) -> i32 {
        if self.0 > 0.0 {
            1
        } else if self.0 < 0.0 {
            -1
        } else {
            0
        }
    }
    pub fn format_fixed(&self, prec: usize) -> String {
        format!("{:.*}", prec, self.0)
    }
    pub fn format_exp(&self, prec: Option<usize>, upper: bool) -> String {
        let s = match prec {
            Some(p) => format!("{:.*e}", p, self.0),
            None => format!("{:e}", self.0),
        };
        if upper {
            s.to_uppercase()
        } else {
            s
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, o: &Number) -> bool {
        self.0 == o.0
    }
}
impl Eq for Number {}
impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Number) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Number {
    fn cmp(&self, o: &Number) -> Ordering {
        self.0.partial_cmp(&o.0).unwrap_or(Ordering::Equal)
    }
}
impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.to_string().hash(h)
    }
}
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_infinite() {
            return write!(f, "{}", if self.0 > 0.0 { "+Inf" } else { "-Inf" });
        }
        write!(f, "{}", self.0)
    }
}

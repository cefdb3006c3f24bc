//! Numbers with Terraform's semantics: binary floating point values as in
//! Go's `math/big.Float`, rounded to nearest-even, printed as the shortest
//! decimal that reads back to the same value (`big.Float.Text('f', -1)`).
//!
//! Like a Go `big.Float`, every number carries a *precision* (mantissa bits)
//! which decides how results are rounded and how the number prints:
//!
//! * parsed numbers (`parse`, i.e. cty's `ParseNumberVal`) have 512 bits;
//! * `from_i64`/`from_u64` also give 512 bits (exact), while
//!   `int_val` mimics cty's `NumberIntVal` (64 bits) and `from_f64` mimics
//!   `NumberFloatVal` (53 bits, so `pow(27, 1/3)` prints `2.9999999999999996`);
//! * `from_bigint` mimics `big.Float.SetInt` (max(bit length, 64) bits, exact);
//! * add/sub/div round to the larger precision of the operands (Go's rule for
//!   a zero-precision receiver), mul follows cty's `Multiply` (computed at
//!   512 bits, result precision = max(operands, bits needed)), and rem follows
//!   cty's `Modulo` (computed and rounded at the dividend's precision).
//!
//! Equality, ordering and hashing look at the value only, never precision.
//!
//! Internally a finite value is either a small exact integer or
//! `±mant·2^exp` with an odd `mant`; the representation of a value is unique.

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;

/// Precision (mantissa bits) of numbers parsed from text, as in cty.
pub const DEFAULT_PREC: u32 = 512;
/// Precision Go gives a `big.Float` set from an int64 (`NumberIntVal`).
pub const INT_PREC: u32 = 64;
/// Precision Go gives a `big.Float` set from a float64 (`NumberFloatVal`).
pub const FLOAT_PREC: u32 = 53;

/// Decimal exponents beyond this magnitude are not computed exactly: the
/// parsed value saturates to infinity (or zero for negative exponents).
const MAX_DEC_EXP: i64 = 10_000;
/// Magnitudes of 2^MAX_BIN_EXP (about 1e10000) and more saturate to
/// infinity, magnitudes below 2^-MAX_BIN_EXP to zero, whether parsed or
/// computed. Go's `big.Float` goes on to 2^±2147483647, but printing such a
/// number needs millions of digits (Terraform hangs on `1e-999999 *
/// 1e-999999`); no configuration needs numbers this far out.
const MAX_BIN_EXP: i64 = 33_220;

/// Errors of arithmetic that has no defined result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumError {
    #[error("division by zero")]
    DivByZero,
    #[error("the result is not a number")]
    NaN,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Repr {
    /// An exact integer.
    Int(i64),
    /// `±mant·2^exp`, `mant` odd, and the value is not an `i64` integer.
    Big { neg: bool, mant: BigUint, exp: i64 },
    /// Infinity; `true` means negative.
    Inf(bool),
}

#[derive(Clone, Debug)]
pub struct Number {
    v: Repr,
    prec: u32,
}

// ---------------------------------------------------------------------------
// Low-level helpers on (sign, mantissa, exponent) triples.

/// Builds the canonical representation of the exact value ±m·2^e.
fn canon(neg: bool, mut m: BigUint, mut e: i64) -> Repr {
    let tz = match m.trailing_zeros() {
        None => return Repr::Int(0),
        Some(tz) => tz,
    };
    if tz > 0 {
        m >>= tz;
        e += tz as i64;
    }
    if e >= 0 {
        let bits = m.bits() as i64 + e;
        if bits <= 63 {
            let v = (m.to_u64().unwrap() << e) as i64;
            return Repr::Int(if neg { -v } else { v });
        }
        if neg && bits == 64 && m.is_one() {
            return Repr::Int(i64::MIN);
        }
    }
    Repr::Big {
        neg,
        mant: m,
        exp: e,
    }
}

/// Rounds ±m·2^e (plus a nonzero amount below the last bit of `m` when
/// `sticky`) to `prec` bits, nearest-even, and canonicalises.
fn round_parts(neg: bool, mut m: BigUint, mut e: i64, sticky: bool, prec: u32) -> Repr {
    if m.is_zero() {
        return Repr::Int(0);
    }
    let p = prec.max(1) as u64;
    let mut b = m.bits();
    if sticky && b <= p + 1 {
        let sh = p + 2 - b;
        m <<= sh;
        e -= sh as i64;
        b += sh;
    }
    if b > p {
        let sh = b - p;
        let half = m.bit(sh - 1);
        let below = sticky || (sh >= 2 && m.trailing_zeros().unwrap_or(0) < sh - 1);
        m >>= sh;
        e += sh as i64;
        if half && (below || m.bit(0)) {
            m += 1u32;
        }
    }
    canon(neg, m, e)
}

/// Rounds ±(num/den)·2^e to `prec` bits.
fn round_quot(neg: bool, num: &BigUint, den: &BigUint, e: i64, prec: u32) -> Repr {
    if num.is_zero() {
        return Repr::Int(0);
    }
    let want = prec as i64 + 2 + den.bits() as i64 - num.bits() as i64;
    let s = want.max(0) as u64;
    let (q, r) = (num << s).div_rem(den);
    round_parts(neg, q, e - s as i64, !r.is_zero(), prec)
}

fn bits_u64(u: u64) -> u32 {
    64 - u.leading_zeros()
}

/// Minimum number of mantissa bits needed for an exact value.
fn min_prec(v: &Repr) -> u32 {
    match v {
        Repr::Int(0) | Repr::Inf(_) => 0,
        Repr::Int(i) => {
            let u = i.unsigned_abs();
            bits_u64(u) - u.trailing_zeros()
        }
        Repr::Big { mant, .. } => mant.bits() as u32,
    }
}

/// Finite value as (negative, magnitude mantissa, exponent); None for Inf.
fn parts(v: &Repr) -> Option<(bool, BigUint, i64)> {
    match v {
        Repr::Int(i) => Some((*i < 0, BigUint::from(i.unsigned_abs()), 0)),
        Repr::Big { neg, mant, exp } => Some((*neg, mant.clone(), *exp)),
        Repr::Inf(_) => None,
    }
}

/// Exact value of an integer-valued representation rounded to `prec`.
fn round_repr(v: &Repr, prec: u32) -> Repr {
    if min_prec(v) <= prec {
        return v.clone();
    }
    let (neg, m, e) = parts(v).unwrap();
    round_parts(neg, m, e, false, prec)
}

fn cmp_mag(am: &BigUint, ae: i64, bm: &BigUint, be: i64) -> Ordering {
    let at = ae + am.bits() as i64;
    let bt = be + bm.bits() as i64;
    if at != bt {
        return at.cmp(&bt);
    }
    if ae >= be {
        (am << (ae - be) as u64).cmp(bm)
    } else {
        am.cmp(&(bm << (be - ae) as u64))
    }
}

/// Rounds the exact sum of two finite values to `prec` bits.
fn add_round(a: &Repr, b: &Repr, prec: u32) -> Repr {
    if let (Repr::Int(x), Repr::Int(y)) = (a, b) {
        let s = *x as i128 + *y as i128;
        if let Ok(s) = i64::try_from(s) {
            let r = Repr::Int(s);
            if min_prec(&r) <= prec {
                return r;
            }
        }
    }
    if matches!(a, Repr::Int(0)) {
        return round_repr(b, prec);
    }
    if matches!(b, Repr::Int(0)) {
        return round_repr(a, prec);
    }
    let (an, am, ae) = parts(a).unwrap();
    let (bn, bm, be) = parts(b).unwrap();
    // If one operand lies far below the rounding position of the other, the
    // result rounds to the larger one.
    let at = ae + am.bits() as i64;
    let bt = be + bm.bits() as i64;
    let p = prec as i64;
    if bt + p + 3 <= at && am.bits() as i64 <= p {
        return canon(an, am, ae);
    }
    if at + p + 3 <= bt && bm.bits() as i64 <= p {
        return canon(bn, bm, be);
    }
    let e = ae.min(be);
    let am = am << (ae - e) as u64;
    let bm = bm << (be - e) as u64;
    if an == bn {
        round_parts(an, am + bm, e, false, prec)
    } else {
        match am.cmp(&bm) {
            Ordering::Equal => Repr::Int(0),
            Ordering::Greater => round_parts(an, am - bm, e, false, prec),
            Ordering::Less => round_parts(bn, bm - am, e, false, prec),
        }
    }
}

/// Rounds the exact product of two finite values to `prec` bits.
fn mul_round(a: &Repr, b: &Repr, prec: u32) -> Repr {
    if let (Repr::Int(x), Repr::Int(y)) = (a, b) {
        if let Some(p) = x.checked_mul(*y) {
            let r = Repr::Int(p);
            if min_prec(&r) <= prec {
                return r;
            }
        }
    }
    let (an, am, ae) = parts(a).unwrap();
    let (bn, bm, be) = parts(b).unwrap();
    round_parts(an != bn, am * bm, ae + be, false, prec)
}

/// Rounds the exact quotient of two finite values (b nonzero) to `prec`.
fn div_round(a: &Repr, b: &Repr, prec: u32) -> Repr {
    if let (Repr::Int(x), Repr::Int(y)) = (a, b) {
        if *y != 0 && *y != -1 && x % y == 0 {
            let r = Repr::Int(x / y);
            if min_prec(&r) <= prec {
                return r;
            }
        }
    }
    let (an, am, ae) = parts(a).unwrap();
    let (bn, bm, be) = parts(b).unwrap();
    round_quot(an != bn, &am, &bm, ae - be, prec)
}

// ---------------------------------------------------------------------------
// Exact decimal expansion and Go-style decimal rounding.

/// A decimal `0.d1d2d3… × 10^exp`, digits as ASCII without trailing zeros.
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Exact decimal expansion of m·2^e.
    fn new(m: &BigUint, e: i64) -> Decimal {
        if m.is_zero() {
            return Decimal {
                mant: Vec::new(),
                exp: 0,
            };
        }
        let (digits, k) = if e >= 0 {
            ((m << e as u64).to_str_radix(10), 0i64)
        } else {
            let tz = m.trailing_zeros().unwrap_or(0).min((-e) as u64);
            let m = m >> tz;
            let k = -e - tz as i64;
            let n = m * BigUint::from(5u32).pow(k as u32);
            (n.to_str_radix(10), k)
        };
        let mut mant = digits.into_bytes();
        let exp = mant.len() as i64 - k;
        while mant.last() == Some(&b'0') {
            mant.pop();
        }
        Decimal { mant, exp }
    }

    fn at(&self, i: usize) -> u8 {
        self.mant.get(i).copied().unwrap_or(b'0')
    }

    fn should_round_up(&self, n: usize) -> bool {
        if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            return n > 0 && (self.mant[n - 1] - b'0') & 1 != 0;
        }
        self.mant[n] >= b'5'
    }

    fn round(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        let n = n as usize;
        if self.should_round_up(n) {
            self.round_up(n);
        } else {
            self.round_down(n);
        }
    }

    fn round_up(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        let mut n = n;
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.mant.clear();
            self.mant.push(b'1');
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }

    fn round_down(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        self.mant.truncate(n);
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }

    /// Go's `roundShortest`: the shortest decimal that rounds back to the
    /// value m·2^e (m odd) at precision `prec`.
    fn round_shortest(&mut self, m: &BigUint, e: i64, prec: u32) {
        if self.mant.is_empty() {
            return;
        }
        // mantissa with prec+1 bits: the lsb is half an ulp.
        let s = prec as i64 + 1 - m.bits() as i64;
        let (mant, exp) = if s >= 0 {
            (m << s as u64, e - s)
        } else {
            (m >> (-s) as u64, e - s)
        };
        let lower = Decimal::new(&(&mant - 1u32), exp);
        let upper = Decimal::new(&(&mant + 1u32), exp);
        let inclusive = !mant.bit(1);
        for i in 0..self.mant.len() {
            let l = lower.at(i);
            let u = upper.at(i);
            let d = self.mant[i];
            let okdown = l != d || inclusive && i + 1 == lower.mant.len();
            let okup = d != u && (inclusive || d + 1 < u || i + 1 < upper.mant.len());
            match (okdown, okup) {
                (true, true) => {
                    self.round(i as i64 + 1);
                    return;
                }
                (true, false) => {
                    self.round_down(i + 1);
                    return;
                }
                (false, true) => {
                    self.round_up(i + 1);
                    return;
                }
                _ => {}
            }
        }
    }
}

fn fmt_f(out: &mut String, prec: usize, d: &Decimal) {
    if d.exp > 0 {
        let m = (d.mant.len() as i64).min(d.exp) as usize;
        out.push_str(std::str::from_utf8(&d.mant[..m]).unwrap());
        for _ in m as i64..d.exp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i64 {
            let j = d.exp + i;
            out.push(if j >= 0 { d.at(j as usize) } else { b'0' } as char);
        }
    }
}

fn fmt_e(out: &mut String, upper: bool, prec: usize, d: &Decimal) {
    out.push(d.mant.first().copied().unwrap_or(b'0') as char);
    if prec > 0 {
        out.push('.');
        let m = d.mant.len().min(prec + 1);
        let mut i = 1;
        if i < m {
            out.push_str(std::str::from_utf8(&d.mant[i..m]).unwrap());
            i = m;
        }
        while i <= prec {
            out.push('0');
            i += 1;
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

// ---------------------------------------------------------------------------
// Go's math.Pow structure (with the platform's exp/log/sqrt).

fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (mut x, mut e) = (x, 0i32);
    if x.abs() < f64::MIN_POSITIVE {
        x *= (1u64 << 52) as f64;
        e = -52;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i32 - 1022;
    let bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(bits), e)
}

/// m·2^e for a value known to be exactly representable (every step exact).
fn scale_exact(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// Correctly rounded x·2^e (Go's `math.Ldexp`).
fn ldexp(x: f64, e: i64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let n = Number::from_f64(x).unwrap();
    let v = match n.v {
        Repr::Int(i) => canon(i < 0, BigUint::from(i.unsigned_abs()), e),
        Repr::Big { neg, mant, exp } => canon(neg, mant, exp.saturating_add(e)),
        other => other,
    };
    Number::with(v, FLOAT_PREC).to_f64()
}

fn is_odd_int(y: f64) -> bool {
    if y.abs() >= (1u64 << 53) as f64 {
        return false;
    }
    y.fract() == 0.0 && (y as i64) & 1 == 1
}

fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        if y < 0.0 {
            if x.is_sign_negative() && is_odd_int(y) {
                return f64::NEG_INFINITY;
            }
            return f64::INFINITY;
        }
        if x.is_sign_negative() && is_odd_int(y) {
            return x;
        }
        return 0.0;
    }
    if y.is_infinite() {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let ya = y.abs();
    let mut yi = ya.trunc();
    let mut yf = ya - yi;
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= 9.223_372_036_854_776e18 {
        if x == -1.0 {
            return 1.0;
        }
        if (x.abs() < 1.0) == (y > 0.0) {
            return 0.0;
        }
        return f64::INFINITY;
    }
    let mut a1 = 1.0f64;
    let mut ae: i64 = 0;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * x.ln()).exp();
    }
    let (mut x1, xe) = frexp(x);
    let mut xe = xe as i64;
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

// ---------------------------------------------------------------------------

impl Number {
    fn with(v: Repr, prec: u32) -> Number {
        let v = match v {
            Repr::Big { neg, mant, exp } => {
                let top = exp.saturating_add(mant.bits() as i64);
                if top > MAX_BIN_EXP {
                    Repr::Inf(neg)
                } else if top < -MAX_BIN_EXP {
                    Repr::Int(0)
                } else {
                    Repr::Big { neg, mant, exp }
                }
            }
            v => v,
        };
        Number { v, prec }
    }

    /// An exact integer with the default (512-bit) precision.
    pub fn from_i64(i: i64) -> Number {
        Number::with(Repr::Int(i), DEFAULT_PREC)
    }
    /// An exact integer with the default (512-bit) precision.
    pub fn from_u64(u: u64) -> Number {
        match i64::try_from(u) {
            Ok(i) => Number::from_i64(i),
            Err(_) => Number::with(canon(false, BigUint::from(u), 0), DEFAULT_PREC),
        }
    }
    /// Like cty's `NumberIntVal`: exact, with Go's int64 precision (64 bits).
    pub fn int_val(i: i64) -> Number {
        Number::with(Repr::Int(i), INT_PREC)
    }
    /// Like cty's `NumberFloatVal`: the exact value of `f`, 53-bit precision.
    /// NaN gives None; -0 becomes 0.
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(Number::with(Repr::Inf(f < 0.0), FLOAT_PREC));
        }
        if f == 0.0 {
            return Some(Number::with(Repr::Int(0), FLOAT_PREC));
        }
        let bits = f.to_bits();
        let neg = bits >> 63 != 0;
        let be = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (m, e) = if be == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), be - 1075)
        };
        Some(Number::with(canon(neg, BigUint::from(m), e), FLOAT_PREC))
    }
    /// Like Go's `big.Float.SetInt` on a zero-precision Float: exact, with
    /// precision max(bit length, 64).
    pub fn from_bigint(i: &BigInt) -> Number {
        let (sign, mag) = (i.sign(), i.magnitude());
        let prec = (mag.bits() as u32).max(INT_PREC);
        Number::with(canon(sign == Sign::Minus, mag.clone(), 0), prec)
    }
    /// An integer rounded to the default 512-bit precision.
    pub fn from_bigint_default_prec(i: &BigInt) -> Number {
        let n = Number::from_bigint(i);
        Number::with(round_repr(&n.v, DEFAULT_PREC), DEFAULT_PREC)
    }
    /// Positive or negative infinity (512-bit precision).
    pub fn infinity(negative: bool) -> Number {
        Number::with(Repr::Inf(negative), DEFAULT_PREC)
    }

    /// Parses like `big.ParseFloat(s, 10, 512, ToNearestEven)` (cty's
    /// `ParseNumberVal`): `[+-]digits[.digits][(e|E)[+-]digits]`, also
    /// `.5`, `5.`, a binary exponent `p`, and `Inf`/`+Inf`/`-Inf`.
    pub fn parse(s: &str) -> Option<Number> {
        Number::parse_prec(s, DEFAULT_PREC)
    }

    /// `parse` with an explicit precision.
    pub fn parse_prec(s: &str, prec: u32) -> Option<Number> {
        match s {
            "Inf" | "inf" | "+Inf" | "+inf" => return Some(Number::with(Repr::Inf(false), prec)),
            "-Inf" | "-inf" => return Some(Number::with(Repr::Inf(true), prec)),
            _ => {}
        }
        let b = s.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            neg = b[i] == b'-';
            i += 1;
        }
        let start = i;
        let mut int_digits = 0usize;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            int_digits += 1;
        }
        let int_end = i;
        let mut frac = &b[0..0];
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let fs = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            frac = &b[fs..i];
        }
        if int_digits == 0 && frac.is_empty() {
            return None;
        }
        let mut exp10: i64 = 0;
        let mut exp2: i64 = 0;
        if i < b.len() {
            let binary = match b[i] {
                b'e' | b'E' => false,
                b'p' | b'P' => true,
                _ => return None,
            };
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let es = i;
            let mut ev: i64 = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                ev = ev.saturating_mul(10).saturating_add((b[i] - b'0') as i64);
                i += 1;
            }
            if i == es || i != b.len() {
                return None;
            }
            if eneg {
                ev = -ev;
            }
            if binary {
                exp2 = ev;
            } else {
                exp10 = ev;
            }
        }
        // Exact integer mantissa from all digits.
        let mut digits = Vec::with_capacity(int_digits + frac.len());
        digits.extend_from_slice(&b[start..int_end]);
        digits.extend_from_slice(frac);
        exp10 = exp10.saturating_sub(frac.len() as i64);
        let m = if digits.len() <= 18 {
            let mut v = 0u64;
            for d in &digits {
                v = v * 10 + (d - b'0') as u64;
            }
            BigUint::from(v)
        } else {
            BigUint::parse_bytes(&digits, 10)?
        };
        if m.is_zero() {
            return Some(Number::with(Repr::Int(0), prec));
        }
        if exp10 > MAX_DEC_EXP || exp2 > 2 * MAX_BIN_EXP {
            return Some(Number::with(Repr::Inf(neg), prec));
        }
        if exp10.saturating_add(digits.len() as i64) < -MAX_DEC_EXP
            || exp2 < -(2 * MAX_BIN_EXP + m.bits() as i64)
        {
            return Some(Number::with(Repr::Int(0), prec));
        }
        let v = if exp10 >= 0 {
            let m = if exp10 > 0 {
                m * BigUint::from(10u32).pow(exp10 as u32)
            } else {
                m
            };
            round_parts(neg, m, exp2, false, prec)
        } else {
            let den = BigUint::from(10u32).pow((-exp10) as u32);
            round_quot(neg, &m, &den, exp2, prec)
        };
        Some(Number::with(v, prec))
    }

    /// The precision (mantissa bits) of this number.
    pub fn prec(&self) -> u32 {
        self.prec
    }
    /// This value rounded to `prec` bits (Go's `SetPrec`).
    pub fn with_prec(&self, prec: u32) -> Number {
        let prec = prec.max(1);
        Number::with(round_repr(&self.v, prec), prec)
    }
    /// The number as it comes back from Terraform's msgpack encoding (used for
    /// plan values such as outputs): int64 values get precision 64, other
    /// integers keep their printed form re-parsed at 512 bits (Terraform 1.11:
    /// `18446744073709551616` stays exact, `pow(2, 64)`, a float64, prints as
    /// `18446744073709550000`), fractions exact in float64 get precision 53,
    /// others keep their printed form re-parsed at 512 bits.
    pub fn msgpack_roundtrip(&self) -> Number {
        match &self.v {
            Repr::Int(i) => Number::int_val(*i),
            Repr::Inf(n) => Number::with(Repr::Inf(*n), FLOAT_PREC),
            Repr::Big { exp, .. } if *exp >= 0 => Number::parse(&self.to_string()).unwrap(),
            Repr::Big { mant, .. } => {
                let f = self.to_f64();
                if mant.bits() <= 53 && f.is_finite() && Number::from_f64(f).unwrap() == *self {
                    Number::from_f64(f).unwrap()
                } else {
                    Number::parse(&self.to_string()).unwrap()
                }
            }
        }
    }

    /// Nearest float64 (ties to even); out of range gives ±inf or ±0.
    pub fn to_f64(&self) -> f64 {
        match &self.v {
            Repr::Int(i) => *i as f64,
            Repr::Inf(n) => {
                if *n {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Repr::Big { neg, mant, exp } => {
                let sign = if *neg { -1.0 } else { 1.0 };
                let top = exp + mant.bits() as i64; // value in [2^(top-1), 2^top)
                if top > 1024 {
                    return sign * f64::INFINITY;
                }
                if top < -1074 {
                    return sign * 0.0;
                }
                let p = if top > -1022 {
                    53
                } else {
                    53 - (-1022 - (top - 1))
                };
                if p <= 0 {
                    // Below half the smallest subnormal unless exactly… (p==0
                    // means value in [2^-1076, 2^-1075)): rounds to 0 or 2^-1074.
                    let half = top == -1074 && !mant.is_one();
                    return sign * if half { f64::from_bits(1) } else { 0.0 };
                }
                let r = round_parts(false, mant.clone(), *exp, false, p as u32);
                let (m, e) = match r {
                    Repr::Int(i) => (i as u64, 0i64),
                    Repr::Big { mant, exp, .. } => (mant.to_u64().unwrap(), exp),
                    Repr::Inf(_) => unreachable!(),
                };
                sign * scale_exact(m as f64, e)
            }
        }
    }

    /// The value as an i64, if it is an integer in range.
    pub fn to_i64(&self) -> Option<i64> {
        match self.v {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }
    /// The value as a u64, if it is a non-negative integer in range.
    pub fn to_u64(&self) -> Option<u64> {
        match &self.v {
            Repr::Int(i) => u64::try_from(*i).ok(),
            Repr::Big {
                neg: false,
                mant,
                exp,
            } if *exp >= 0 && mant.bits() as i64 + exp <= 64 => Some(mant.to_u64()? << exp),
            _ => None,
        }
    }
    /// The value as a BigInt, if it is an integer.
    pub fn to_bigint(&self) -> Option<BigInt> {
        match &self.v {
            Repr::Int(i) => Some(BigInt::from(*i)),
            Repr::Big { neg, mant, exp } if *exp >= 0 => {
                let m = mant << *exp as u64;
                Some(BigInt::from_biguint(
                    if *neg { Sign::Minus } else { Sign::Plus },
                    m,
                ))
            }
            _ => None,
        }
    }
    /// The integer part (toward zero) as a BigInt; None for infinities.
    pub fn trunc_bigint(&self) -> Option<BigInt> {
        match &self.v {
            Repr::Int(i) => Some(BigInt::from(*i)),
            Repr::Big { neg, mant, exp } => {
                let m = if *exp >= 0 {
                    mant << *exp as u64
                } else {
                    mant >> (-*exp) as u64
                };
                Some(BigInt::from_biguint(
                    if *neg { Sign::Minus } else { Sign::Plus },
                    m,
                ))
            }
            Repr::Inf(_) => None,
        }
    }
    pub fn is_integer(&self) -> bool {
        match &self.v {
            Repr::Int(_) => true,
            Repr::Big { exp, .. } => *exp >= 0,
            Repr::Inf(_) => false,
        }
    }
    pub fn is_zero(&self) -> bool {
        matches!(self.v, Repr::Int(0))
    }
    pub fn is_negative(&self) -> bool {
        match &self.v {
            Repr::Int(i) => *i < 0,
            Repr::Big { neg, .. } => *neg,
            Repr::Inf(n) => *n,
        }
    }
    pub fn is_infinite(&self) -> bool {
        matches!(self.v, Repr::Inf(_))
    }

    /// Sum; opposing infinities give NaN.
    pub fn checked_add(&self, o: &Number) -> Result<Number, NumError> {
        let prec = self.prec.max(o.prec);
        let v = match (&self.v, &o.v) {
            (Repr::Inf(a), Repr::Inf(b)) => {
                if a != b {
                    return Err(NumError::NaN);
                }
                Repr::Inf(*a)
            }
            (Repr::Inf(a), _) | (_, Repr::Inf(a)) => Repr::Inf(*a),
            (a, b) => add_round(a, b, prec),
        };
        Ok(Number::with(v, prec))
    }
    /// Sum (see `checked_add`); opposing infinities give zero.
    pub fn add(&self, o: &Number) -> Number {
        self.checked_add(o)
            .unwrap_or_else(|_| Number::with(Repr::Int(0), self.prec.max(o.prec)))
    }
    pub fn checked_sub(&self, o: &Number) -> Result<Number, NumError> {
        self.checked_add(&o.neg())
    }
    /// Difference (see `checked_sub`); equal infinities give zero.
    pub fn sub(&self, o: &Number) -> Number {
        self.add(&o.neg())
    }
    /// Product like cty's `Multiply`; zero times infinity gives NaN.
    pub fn checked_mul(&self, o: &Number) -> Result<Number, NumError> {
        let v = match (&self.v, &o.v) {
            (Repr::Inf(_), Repr::Int(0)) | (Repr::Int(0), Repr::Inf(_)) => {
                return Err(NumError::NaN)
            }
            (Repr::Inf(_), _) | (_, Repr::Inf(_)) => {
                Repr::Inf(self.is_negative() != o.is_negative())
            }
            (a, b) => mul_round(a, b, DEFAULT_PREC),
        };
        let prec = self.prec.max(o.prec).max(min_prec(&v));
        Ok(Number::with(v, prec))
    }
    /// Product (see `checked_mul`); zero times infinity gives zero.
    pub fn mul(&self, o: &Number) -> Number {
        self.checked_mul(o)
            .unwrap_or_else(|_| Number::with(Repr::Int(0), self.prec.max(o.prec)))
    }
    /// Quotient rounded to the larger precision. A zero divisor is
    /// `DivByZero` (Go would give ±Inf); ±Inf/±Inf is `NaN`.
    pub fn div(&self, o: &Number) -> Result<Number, NumError> {
        let prec = self.prec.max(o.prec);
        let v = match (&self.v, &o.v) {
            (_, Repr::Int(0)) => return Err(NumError::DivByZero),
            (Repr::Inf(_), Repr::Inf(_)) => return Err(NumError::NaN),
            (Repr::Inf(_), _) => Repr::Inf(self.is_negative() != o.is_negative()),
            (_, Repr::Inf(_)) => Repr::Int(0),
            (a, b) => div_round(a, b, prec),
        };
        Ok(Number::with(v, prec))
    }
    /// cty's `Modulo`: x - y·trunc(x/y), with the sign of x.
    /// A zero divisor is `DivByZero` (cty itself returns x unchanged); an
    /// infinite operand gives x·y like cty (NaN for 0·Inf).
    pub fn rem(&self, o: &Number) -> Result<Number, NumError> {
        if self.is_infinite() || o.is_infinite() {
            return self.checked_mul(o);
        }
        if o.is_zero() {
            return Err(NumError::DivByZero);
        }
        let px = self.prec;
        if let (Repr::Int(x), Repr::Int(y)) = (&self.v, &o.v) {
            if px >= 64 {
                let r = (*x as i128 % *y as i128) as i64;
                return Ok(Number::with(Repr::Int(r), px));
            }
        }
        let q = div_round(&self.v, &o.v, px.max(o.prec));
        let t = Number::with(q, px).trunc_bigint().unwrap();
        let t = Number::from_bigint(&t).v;
        let work = round_repr(&t, px);
        let work = mul_round(&o.v, &work, px);
        let work = match work {
            Repr::Int(i) if i != i64::MIN => Repr::Int(-i),
            other => {
                let (n, m, e) = parts(&other).unwrap();
                canon(!n, m, e)
            }
        };
        Ok(Number::with(add_round(&self.v, &work, px), px))
    }
    pub fn neg(&self) -> Number {
        let v = match &self.v {
            Repr::Int(i) => match i.checked_neg() {
                Some(n) => Repr::Int(n),
                None => canon(false, BigUint::from(1u32), 63),
            },
            Repr::Big { neg, mant, exp } => canon(!neg, mant.clone(), *exp),
            Repr::Inf(n) => Repr::Inf(!n),
        };
        Number::with(v, self.prec)
    }
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }
    /// Exact floor (same precision). Note Terraform 0.15's `floor` function
    /// goes through float64: use `from_f64(x.to_f64().floor())` for that.
    pub fn floor(&self) -> Number {
        self.round_int(true)
    }
    /// Exact ceiling (same precision); see `floor`.
    pub fn ceil(&self) -> Number {
        self.round_int(false)
    }
    fn round_int(&self, floor: bool) -> Number {
        match &self.v {
            Repr::Big { neg, mant, exp } if *exp < 0 => {
                let mut m = mant >> (-*exp) as u64;
                // The value is not an integer: move away from zero when the
                // direction of rounding is away from zero.
                if *neg == floor {
                    m += 1u32;
                }
                Number::with(round_parts(*neg, m, 0, false, self.prec), self.prec)
            }
            _ => self.clone(),
        }
    }
    pub fn signum(&self) -> i32 {
        if self.is_zero() {
            0
        } else if self.is_negative() {
            -1
        } else {
            1
        }
    }
    /// Go's `math.Pow` on the float64 values (as cty's `pow`), returned as a
    /// 53-bit number. NaN results give None.
    pub fn pow(&self, o: &Number) -> Option<Number> {
        Number::from_f64(go_pow(self.to_f64(), o.to_f64()))
    }
    /// `ln(self) / ln(base)` in float64 (as Terraform's `log`).
    pub fn log(&self, base: &Number) -> Option<Number> {
        Number::from_f64(self.to_f64().ln() / base.to_f64().ln())
    }

    /// Exact decimal expansion of a finite nonzero value (sign ignored),
    /// plus (odd mantissa, exponent).
    fn decimal(&self) -> (Decimal, BigUint, i64) {
        let (_, m, e) = parts(&self.v).unwrap();
        let tz = m.trailing_zeros().unwrap_or(0);
        let (m, e) = (&m >> tz, e + tz as i64);
        (Decimal::new(&m, e), m, e)
    }

    fn shortest_decimal(&self) -> Decimal {
        let (mut d, m, e) = self.decimal();
        d.round_shortest(&m, e, self.prec);
        d
    }

    /// Go's `Text('f', prec)`: fixed notation, rounded half-even on the exact
    /// decimal expansion.
    pub fn format_fixed(&self, prec: usize) -> String {
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        match &self.v {
            Repr::Inf(n) => {
                if !n {
                    out.push('+');
                }
                out.push_str("Inf");
            }
            Repr::Int(0) => fmt_f(&mut out, prec, &Decimal::new(&BigUint::zero(), 0)),
            _ => {
                let (mut d, _, _) = self.decimal();
                d.round(d.exp.saturating_add(prec as i64));
                fmt_f(&mut out, prec, &d);
            }
        }
        out
    }

    /// Go's `Text('e'|'E', prec)`; `None` is the shortest representation.
    pub fn format_exp(&self, prec: Option<usize>, upper: bool) -> String {
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        match &self.v {
            Repr::Inf(n) => {
                if !n {
                    out.push('+');
                }
                out.push_str("Inf");
            }
            Repr::Int(0) => fmt_e(
                &mut out,
                upper,
                prec.unwrap_or(0),
                &Decimal::new(&BigUint::zero(), 0),
            ),
            _ => {
                let (d, p) = match prec {
                    Some(p) => {
                        let (mut d, _, _) = self.decimal();
                        d.round(1 + p as i64);
                        (d, p)
                    }
                    None => {
                        let d = self.shortest_decimal();
                        let p = d.mant.len().saturating_sub(1);
                        (d, p)
                    }
                };
                fmt_e(&mut out, upper, p, &d);
            }
        }
        out
    }
}

impl PartialEq for Number {
    fn eq(&self, o: &Number) -> bool {
        self.v == o.v
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
        match (&self.v, &o.v) {
            (Repr::Int(a), Repr::Int(b)) => a.cmp(b),
            (Repr::Inf(a), Repr::Inf(b)) => b.cmp(a),
            (Repr::Inf(a), _) => {
                if *a {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Repr::Inf(b)) => {
                if *b {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (a, b) => {
                let sa = self.signum();
                let sb = o.signum();
                if sa != sb || sa == 0 {
                    return sa.cmp(&sb);
                }
                let (_, am, ae) = parts(a).unwrap();
                let (_, bm, be) = parts(b).unwrap();
                let c = cmp_mag(&am, ae, &bm, be);
                if sa < 0 {
                    c.reverse()
                } else {
                    c
                }
            }
        }
    }
}
impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.v.hash(h)
    }
}
impl fmt::Display for Number {
    /// Go's `Text('f', -1)` at the number's precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.v {
            Repr::Inf(n) => f.write_str(if *n { "-Inf" } else { "+Inf" }),
            Repr::Int(i) if min_prec(&self.v) <= self.prec => write!(f, "{}", i),
            _ => {
                let d = self.shortest_decimal();
                let mut out = String::new();
                if self.is_negative() {
                    out.push('-');
                }
                let prec = (d.mant.len() as i64 - d.exp).max(0) as usize;
                fmt_f(&mut out, prec, &d);
                f.write_str(&out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgpack_roundtrip_keeps_big_integers_exact() {
        // What Terraform 1.11.4 printed for these outputs (`terraform output`).
        let lit = Number::parse("18446744073709551616").unwrap();
        assert_eq!(lit.msgpack_roundtrip().to_string(), "18446744073709551616");
        let pow = Number::from_f64(2f64.powi(64)).unwrap();
        assert_eq!(pow.msgpack_roundtrip().to_string(), "18446744073709550000");
        let e20 = Number::parse("1.5e20").unwrap();
        assert_eq!(e20.msgpack_roundtrip().to_string(), "150000000000000000000");
        let half = Number::parse("0.5").unwrap();
        assert_eq!(half.msgpack_roundtrip().to_string(), "0.5");
    }

    #[test]
    fn far_out_magnitudes_saturate() {
        // Found by fuzzing: printing 1e-999999 * 1e-999999 took minutes.
        let tiny = Number::parse("1e-9999").unwrap();
        assert!(!tiny.is_zero());
        assert!(tiny.mul(&tiny).is_zero());
        let big = Number::parse("1e9999").unwrap();
        assert!(!big.is_infinite());
        assert!(big.mul(&big).is_infinite());
        assert!(big.mul(&big).neg().is_negative());
        assert!(Number::parse("1e-999999").unwrap().is_zero());
        assert!(Number::parse("1p99999999").unwrap().is_infinite());
        assert!(Number::parse("1p-99999999").unwrap().is_zero());
        assert_eq!(
            Number::parse("100e-10001").unwrap().to_string().len(),
            10001
        );
    }

    // Expected strings below come from Terraform 0.15 (`"=${expr}"` string
    // templates, `format(...)` and comparisons in outputs).

    /// A tiny evaluator for test expressions with Terraform's semantics:
    /// literals parse at 512 bits, `len(n)` is `length()` of an n-list
    /// (cty `NumberIntVal`), floor/ceil/pow/log go through float64 as in
    /// Terraform 0.15, parseint gives `SetInt` precision.
    struct Ev<'a> {
        s: &'a [u8],
        i: usize,
    }

    #[derive(Debug)]
    enum Val {
        N(Number),
        B(bool),
    }

    impl<'a> Ev<'a> {
        fn ws(&mut self) {
            while self.i < self.s.len() && self.s[self.i] == b' ' {
                self.i += 1;
            }
        }
        fn eat(&mut self, t: &str) -> bool {
            self.ws();
            if self.s[self.i..].starts_with(t.as_bytes()) {
                self.i += t.len();
                true
            } else {
                false
            }
        }
        fn cmp(&mut self) -> Val {
            let a = self.sum();
            for op in ["==", "<", ">"] {
                if self.eat(op) {
                    let b = self.sum();
                    return Val::B(match op {
                        "==" => a == b,
                        "<" => a < b,
                        _ => a > b,
                    });
                }
            }
            Val::N(a)
        }
        fn sum(&mut self) -> Number {
            let mut a = self.prod();
            loop {
                if self.eat("+") {
                    a = a.add(&self.prod());
                } else if self.eat("-") {
                    a = a.sub(&self.prod());
                } else {
                    return a;
                }
            }
        }
        fn prod(&mut self) -> Number {
            let mut a = self.unary();
            loop {
                if self.eat("*") {
                    a = a.mul(&self.unary());
                } else if self.eat("/") {
                    a = a.div(&self.unary()).unwrap();
                } else if self.eat("%") {
                    a = a.rem(&self.unary()).unwrap();
                } else {
                    return a;
                }
            }
        }
        fn unary(&mut self) -> Number {
            if self.eat("-") {
                return self.unary().neg();
            }
            self.atom()
        }
        fn args(&mut self) -> Vec<Number> {
            let mut v = vec![self.sum()];
            while self.eat(",") {
                v.push(self.sum());
            }
            assert!(self.eat(")"));
            v
        }
        fn atom(&mut self) -> Number {
            self.ws();
            if self.eat("(") {
                let v = self.sum();
                assert!(self.eat(")"));
                return v;
            }
            let st = self.i;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_alphanumeric()
                    || self.s[self.i] == b'.'
                    || self.s[self.i] == b'"'
                    || (self.i > st
                        && (self.s[self.i] == b'-' || self.s[self.i] == b'+')
                        && (self.s[self.i - 1] == b'e' || self.s[self.i - 1] == b'E')
                        && self.s[st].is_ascii_digit()))
            {
                self.i += 1;
            }
            let w = std::str::from_utf8(&self.s[st..self.i]).unwrap();
            if self.eat("(") {
                if w == "tonumber" || w == "parseint" {
                    self.eat("\"");
                    let a = self.i;
                    while self.s[self.i] != b'"' {
                        self.i += 1;
                    }
                    let lit = std::str::from_utf8(&self.s[a..self.i]).unwrap().to_string();
                    self.i += 1;
                    if w == "tonumber" {
                        assert!(self.eat(")"));
                        return Number::parse(&lit).unwrap();
                    }
                    assert!(self.eat(","));
                    let base = self.sum().to_i64().unwrap() as u32;
                    assert!(self.eat(")"));
                    let bi = BigInt::parse_bytes(lit.as_bytes(), base).unwrap();
                    return Number::from_bigint(&bi);
                }
                let a = self.args();
                let f = |x: f64| Number::from_f64(x).unwrap();
                return match w {
                    "len" => Number::int_val(a[0].to_i64().unwrap()),
                    "floor" => f(a[0].to_f64().floor()),
                    "ceil" => f(a[0].to_f64().ceil()),
                    "abs" => a[0].abs(),
                    "pow" => a[0].pow(&a[1]).unwrap(),
                    "log" => a[0].log(&a[1]).unwrap(),
                    "max" => a.iter().max().unwrap().clone(),
                    _ => panic!("unknown function {w}"),
                };
            }
            Number::parse(w).unwrap_or_else(|| panic!("bad literal {w:?}"))
        }
    }

    fn eval(s: &str) -> Val {
        let mut e = Ev {
            s: s.as_bytes(),
            i: 0,
        };
        let v = e.cmp();
        e.ws();
        assert_eq!(e.i, s.len(), "trailing input in {s:?}");
        v
    }

    fn num(s: &str) -> Number {
        match eval(s) {
            Val::N(n) => n,
            v => panic!("{s}: not a number: {v:?}"),
        }
    }

    const VALUES: &[(&str, &str)] = &[
        ("1/3", "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"),
        ("2/3", "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"),
        ("0.1+0.2", "0.3"),
        ("19.99*3", "59.97"),
        ("59.97*(1-0.15)", "50.974500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003"),
        ("10737418240/1024/1024/1024", "10"),
        ("1", "1"),
        ("0", "0"),
        ("1.0", "1"),
        ("1.50", "1.5"),
        ("-2.5", "-2.5"),
        ("1e3", "1000"),
        ("1.5E-2", "0.015"),
        ("1e-7", "0.0000001"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
        ("123456789012345678901234567890*1000", "123456789012345678901234567890000"),
        ("4294967296*4294967296*4294967296", "79228162514264337593543950336"),
        ("18446744073709551616*18446744073709551616+1", "340282366920938463463374607431768211457"),
        ("9223372036854775807+1", "9223372036854775808"),
        ("-9223372036854775808-1", "-9223372036854775809"),
        ("9223372036854775807*2", "18446744073709551614"),
        ("7%3", "1"),
        ("-7%3", "-1"),
        ("7%-3", "1"),
        ("5.5%2", "1.5"),
        ("0.1%0.03", "0.010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003"),
        ("-5.5%2", "-1.5"),
        ("1e30%7", "1"),
        ("10/4", "2.5"),
        ("1/7", "0.14285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285"),
        ("22/7", "3.1428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428571428"),
        ("-1/3", "-0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"),
        ("100/3", "33.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333"),
        ("1e-300/3", "0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000033333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333"),
        ("1e300*1e300", "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        ("0.1*3", "0.3"),
        ("0.3-0.1", "0.20000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"),
        ("1.1*1.1", "1.2100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"),
        ("3.3/1.1", "3"),
        ("2/0.1", "20"),
        ("0.7+0.1", "0.8"),
        ("1-0.9", "0.10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003"),
        ("123.456-123", "0.4560000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000039"),
        ("1e20+1", "100000000000000000001"),
        ("1e20+0.5", "100000000000000000000.5"),
        ("1e155+1", "100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        ("0.000001*0.000001", "0.0000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"),
        ("floor(2.5)", "2"),
        ("floor(-2.5)", "-3"),
        ("ceil(2.5)", "3"),
        ("ceil(-2.5)", "-2"),
        ("floor(7)", "7"),
        ("pow(27,1/3)", "2.9999999999999996"),
        ("pow(2,10)", "1024"),
        ("pow(2,0.5)", "1.4142135623730951"),
        ("pow(2,-2)", "0.25"),
        ("pow(1.1,10)", "2.593742460100002"),
        ("pow(10,-3)", "0.001"),
        ("pow(2,0.5)+0", "1.4142135623730951454746218587388284504413604736328125"),
        ("pow(2,0.5)/3", "0.47140452079103171515820728624627615014712015787760416666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666665"),
        ("pow(2,0.5)%1", "0.41421356237309515"),
        ("log(8,2)", "3"),
        ("log(100,10)", "2"),
        ("log(10,3)", "2.095903274289385"),
        ("abs(-0.1)", "0.1"),
        ("-(1/3)", "-0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"),
        ("1/3*3", "1"),
        ("2/3+1/3", "1"),
        ("1/3+1/3+1/3", "1"),
        ("0.1+0.2-0.3", "0"),
        ("1e-20", "0.00000000000000000001"),
        ("12345.6789e-3", "12.3456789"),
        ("0.5e1", "5"),
        ("5e-324", "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005"),
        ("1/1024", "0.0009765625"),
        ("3/1024", "0.0029296875"),
        ("1/3-1/3", "0"),
        ("99999999999999999999/10", "9999999999999999999.9"),
        ("len(2)/len(3)", "0.6666666666666666667"),
        ("len(2)*(1/3)", "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"),
        ("floor(7.5)/len(3)", "2.3333333333333333333"),
        ("len(5)/2", "2.5"),
        ("tonumber(\"0.1\")*3", "0.3"),
        ("parseint(\"ffffffffffffffffffffffff\",16)/7", "11318308930609191084791992905"),
        ("parseint(\"ff\",16)/7", "36.42857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857142857143"),
        ("max(1.5,2)/3", "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"),
        ("1e400/3e399", "3.3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333332"),
    ];
    const FIXED: &[(usize, &str, &str)] = &[
        (3, "1/3", "0.333"),
        (3, "2/3", "0.667"),
        (2, "0.125", "0.12"),
        (2, "0.375", "0.38"),
        (0, "0.5", "0"),
        (0, "1.5", "2"),
        (0, "2.5", "2"),
        (2, "-0.0001", "-0.00"),
        (3, "1e10/3", "3333333333.333"),
        (1, "0.05", "0.1"),
        (1, "0.25", "0.2"),
        (5, "1", "1.00000"),
        (2, "1.005", "1.00"),
        (10, "0.1", "0.1000000000"),
        (0, "-0.4", "-0"),
        (3, "123456.7895", "123456.789"),
    ];
    const EXP: &[(usize, &str, &str)] = &[
        (3, "1500", "1.500e+03"),
        (2, "1/3", "3.33e-01"),
        (0, "12345", "1e+04"),
        (5, "-0.000123", "-1.23000e-04"),
        (3, "0", "0.000e+00"),
        (2, "1e100", "1.00e+100"),
        (4, "9.99995", "1.0000e+01"),
    ];
    const CMP: &[(&str, bool)] = &[
        ("1/3*3 == 1", true),
        ("0.1+0.2 == 0.3", true),
        ("1/3 < 0.3333333333333333", false),
        ("-1 < -0.5", true),
        ("1e30 > 1e29", true),
        ("(1/3)*3 < 1", false),
        ("2/3 > 0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666", true),
        ("pow(2,0.5) == pow(2,0.5)+0", true),
        ("floor(2.5) == 2", true),
        ("1e20+1 > 1e20", true),
        ("-0 == 0", true),
        ("len(2) == 2.0", true),
    ];

    #[test]
    fn oracle_values() {
        let mut bad = Vec::new();
        for (e, want) in VALUES {
            let got = num(e).to_string();
            if got != *want {
                bad.push(format!("{e}: got {got}, want {want}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn oracle_fixed() {
        for (p, e, want) in FIXED {
            assert_eq!(num(e).format_fixed(*p), *want, "%.{p}f of {e}");
        }
    }

    #[test]
    fn oracle_exp() {
        for (p, e, want) in EXP {
            assert_eq!(num(e).format_exp(Some(*p), false), *want, "%.{p}e of {e}");
        }
    }

    #[test]
    fn oracle_comparisons() {
        for (e, want) in CMP {
            match eval(e) {
                Val::B(b) => assert_eq!(b, *want, "{e}"),
                v => panic!("{e}: {v:?}"),
            }
        }
    }

    #[test]
    fn parse_rejects() {
        for s in [
            "", " 1", "1 ", "abc", "1e", "1e+", ".", "-", "+", "1..2", "0x10", "1_000", "--1",
            "1.2.3", "e5", "NaN",
        ] {
            assert!(Number::parse(s).is_none(), "{s:?}");
        }
        for (s, want) in [
            ("+1", "1"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-1.5e2", "-150"),
            ("1E+2", "100"),
            ("007", "7"),
            ("1p4", "16"),
            ("Inf", "+Inf"),
            ("+Inf", "+Inf"),
            ("-Inf", "-Inf"),
        ] {
            assert_eq!(Number::parse(s).unwrap().to_string(), want, "{s:?}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(num("2.5").to_i64(), None);
        assert_eq!(num("-42").to_i64(), Some(-42));
        assert_eq!(num("9223372036854775808").to_i64(), None);
        assert_eq!(num("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(
            num("2e30").to_bigint().unwrap().to_string(),
            "2000000000000000000000000000000"
        );
        assert_eq!(num("2.5").to_bigint(), None);
        assert_eq!(num("0.1").to_f64(), 0.1);
        assert_eq!(num("1/3").to_f64(), 1.0 / 3.0);
        assert_eq!(num("5e-324").to_f64(), 5e-324);
        assert_eq!(num("1e400").to_f64(), f64::INFINITY);
        assert_eq!(num("1e-400").to_f64(), 0.0);
        assert_eq!(num("2.2250738585072014e-308").to_f64(), f64::MIN_POSITIVE);
        assert_eq!(num("1.7976931348623157e308").to_f64(), f64::MAX);
        for f in [0.1, -2.5, 1e300, 5e-324, 123456.789, f64::MAX] {
            assert_eq!(Number::from_f64(f).unwrap().to_f64(), f);
        }
        assert!(Number::from_f64(f64::NAN).is_none());
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(
            Number::from_f64(0.1).unwrap().with_prec(512).to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        let big = BigInt::parse_bytes(b"123456789012345678901234567890", 10).unwrap();
        assert_eq!(Number::from_bigint(&big).to_bigint().unwrap(), big);
        assert_eq!(Number::from_u64(u64::MAX).to_u64(), Some(u64::MAX));
    }

    #[test]
    fn arithmetic_misc() {
        assert_eq!(num("1").div(&num("0")), Err(NumError::DivByZero));
        assert_eq!(num("1").rem(&num("0")), Err(NumError::DivByZero));
        let inf = Number::infinity(false);
        assert_eq!(inf.add(&num("1")).to_string(), "+Inf");
        assert_eq!(inf.neg().to_string(), "-Inf");
        assert_eq!(inf.checked_sub(&inf), Err(NumError::NaN));
        assert_eq!(num("1").div(&inf).unwrap().to_string(), "0");
        assert!(inf > num("1e400") && inf.neg() < num("-1e400"));
        assert_eq!(num("2.5").floor().to_string(), "2");
        assert_eq!(num("-2.5").floor().to_string(), "-3");
        assert_eq!(num("-2.5").ceil().to_string(), "-2");
        assert_eq!(num("1e30+0.5").floor(), num("1e30"));
        assert_eq!(num("-0.5").signum(), -1);
        assert!(num("7").is_integer() && !num("7.5").is_integer());
        assert!(num("1e100").is_integer());
        assert_eq!(num("0.1").format_exp(None, true), "1E-01");
        assert_eq!(num("1/3").format_exp(Some(3), true), "3.333E-01");
        assert_eq!(num("-1234.5").format_exp(None, false), "-1.2345e+03");
    }

    #[test]
    fn eq_hash_ignore_precision() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let h = |n: &Number| {
            let mut s = DefaultHasher::new();
            n.hash(&mut s);
            s.finish()
        };
        let a = Number::int_val(2);
        let b = num("4/2");
        let c = Number::from_f64(2.0).unwrap();
        assert!(a == b && b == c);
        assert_eq!(h(&a), h(&b));
        assert_eq!(h(&b), h(&c));
        assert_eq!(num("0.1+0.2"), num("0.3"));
        assert_ne!(num("0.3"), Number::from_f64(0.3).unwrap());
    }
}

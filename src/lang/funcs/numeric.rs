//! Built-in functions: numeric family.

use num_bigint::BigInt;

use super::string::whole;
use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::json::write_json_str;
use crate::lang::number::Number;
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    let n1 = |name: &'static str, imp: super::Impl| {
        Func::new(
            name,
            vec![Param::new("num", Type::Number)],
            Type::Number,
            imp,
        )
    };
    r.add(n1("abs", abs));
    r.add(n1("ceil", ceil));
    r.add(n1("floor", floor));
    r.add(n1("signum", signum));
    r.add(Func::new(
        "log",
        vec![
            Param::new("num", Type::Number),
            Param::new("base", Type::Number),
        ],
        Type::Number,
        log,
    ));
    r.add(Func::new(
        "pow",
        vec![
            Param::new("num", Type::Number),
            Param::new("power", Type::Number),
        ],
        Type::Number,
        pow,
    ));
    r.add(
        Func::new("max", vec![], Type::Number, max).variadic(Param::new("numbers", Type::Number)),
    );
    r.add(
        Func::new("min", vec![], Type::Number, min).variadic(Param::new("numbers", Type::Number)),
    );
    r.add(Func::new(
        "parseint",
        vec![
            Param::new("number", Type::Dynamic),
            Param::new("base", Type::Number),
        ],
        Type::Number,
        parseint,
    ));
}

fn num(v: &Value) -> Number {
    v.as_number().cloned().unwrap_or(Number::from_i64(0))
}

fn abs(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::number(num(&a[0]).abs()))
}

fn ceil(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::number(num(&a[0]).ceil()))
}

fn floor(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::number(num(&a[0]).floor()))
}

fn signum(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let n = whole(&a[0]).map_err(FnError::msg)?;
    Ok(Value::int(n.signum()))
}

fn float_result(f: f64) -> Result<Value, FnError> {
    Number::from_f64(f)
        .map(Value::number)
        .ok_or_else(|| FnError::msg("result is not a number"))
}

fn log(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (x, b) = (num(&a[0]).to_f64(), num(&a[1]).to_f64());
    float_result(x.ln() / b.ln())
}

fn pow(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    // Go's math.Pow, step by step (Rust's powf differs in the last bit).
    match num(&a[0]).pow(&num(&a[1])) {
        Some(n) => Ok(Value::number(n)),
        None => Err(FnError::msg("result is not a number")),
    }
}

fn max(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let best = a
        .iter()
        .map(num)
        .max()
        .ok_or_else(|| FnError::msg("must pass at least one number"))?;
    Ok(Value::number(best))
}

fn min(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let best = a
        .iter()
        .map(num)
        .min()
        .ok_or_else(|| FnError::msg("must pass at least one number"))?;
    Ok(Value::number(best))
}

/// Go's `big.Int.SetString(s, base)` for an explicit base in 2..=62.
fn parse_big(s: &str, base: u32) -> Option<BigInt> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut acc = BigInt::from(0);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        acc = acc * base + d;
    }
    Some(if neg { -acc } else { acc })
}

fn parseint(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let Some(s) = a[0].as_str() else {
        return Err(FnError::arg(
            0,
            format!(
                "first argument must be a string, not {}",
                a[0].ty().friendly_name()
            ),
        ));
    };
    let base = whole(&a[1]).map_err(|e| FnError::arg(1, e))?;
    if !(2..=62).contains(&base) {
        return Err(FnError::arg(
            1,
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    match parse_big(s, base as u32) {
        Some(i) => Ok(Value::number(Number::from_bigint(&i))),
        None => {
            let mut q = String::new();
            write_json_str(s, &mut q, true);
            Err(FnError::arg(
                0,
                format!("cannot parse {q} as a base {base} integer"),
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::approx_constant)]
mod tests {
    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::to_json_string;
    use crate::lang::number::Number;
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    fn n(x: f64) -> Value {
        Value::number(Number::from_f64(x).unwrap())
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn j(name: &str, args: Vec<Value>) -> String {
        to_json_string(&c(name, args).unwrap())
    }
    fn e(name: &str, args: Vec<Value>) -> String {
        c(name, args).unwrap_err().to_string()
    }

    #[test]
    fn abs_ceil_floor_signum() {
        assert_eq!(j("abs", vec![n(-3.0)]), "3");
        assert_eq!(j("abs", vec![n(-12.4)]), "12.4");
        assert_eq!(j("abs", vec![n(0.0)]), "0");
        assert_eq!(j("ceil", vec![n(5.1)]), "6");
        assert_eq!(j("ceil", vec![n(-5.1)]), "-5");
        assert_eq!(j("ceil", vec![n(5.0)]), "5");
        assert_eq!(j("floor", vec![n(4.9)]), "4");
        assert_eq!(j("floor", vec![n(-4.1)]), "-5");
        assert_eq!(j("floor", vec![n(-0.5)]), "-1");
        assert_eq!(j("floor", vec![s("3.5")]), "3");
        assert_eq!(j("signum", vec![n(-13.0)]), "-1");
        assert_eq!(j("signum", vec![n(0.0)]), "0");
        assert_eq!(j("signum", vec![n(344.0)]), "1");
        assert!(e("signum", vec![n(0.5)]).contains("whole number"));
        let r = c("abs", vec![n(-1.0).mark(true)]).unwrap();
        assert!(r.sensitive);
        assert!(!c("abs", vec![Value::unknown(Type::Number)])
            .unwrap()
            .is_known());
        assert_eq!(e("abs", vec![s("x")]), "a number is required");
    }

    #[test]
    fn log_pow() {
        assert_eq!(j("log", vec![n(50.0), n(10.0)]), "1.6989700043360185");
        assert_eq!(j("log", vec![n(16.0), n(2.0)]), "4");
        assert_eq!(j("log", vec![n(1.0), n(10.0)]), "0");
        assert_eq!(j("log", vec![n(8.0), n(2.0)]), "3");
        assert_eq!(
            j("log", vec![n(10.0), n(2.718281828)]),
            "2.3025850933828913"
        );
        assert_eq!(e("log", vec![n(-1.0), n(10.0)]), "result is not a number");
        assert_eq!(j("pow", vec![n(3.0), n(2.0)]), "9");
        assert_eq!(j("pow", vec![n(4.0), n(0.0)]), "1");
        assert_eq!(j("pow", vec![n(2.0), n(0.5)]), "1.4142135623730951");
        assert_eq!(j("pow", vec![n(2.0), n(-1.0)]), "0.5");
        assert_eq!(j("pow", vec![n(2.0), n(10.0)]), "1024");
    }

    #[test]
    fn max_min() {
        assert_eq!(j("max", vec![n(12.0), n(54.0), n(3.0)]), "54");
        assert_eq!(j("max", vec![n(12.0), n(54.5), n(3.0)]), "54.5");
        assert_eq!(j("max", vec![n(1.0), s("5")]), "5");
        assert_eq!(j("min", vec![n(12.0), n(-54.0), n(3.0)]), "-54");
        assert_eq!(j("min", vec![n(0.5), n(0.25)]), "0.25");
        assert_eq!(e("max", vec![]), "must pass at least one number");
        assert_eq!(e("min", vec![]), "must pass at least one number");
    }

    #[test]
    fn parseint_cases() {
        let p = |x: &str, b: f64| j("parseint", vec![s(x), n(b)]);
        assert_eq!(p("100", 10.0), "100");
        assert_eq!(p("FF", 16.0), "255");
        assert_eq!(p("ff", 16.0), "255");
        assert_eq!(p("-12", 10.0), "-12");
        assert_eq!(p("1011", 2.0), "11");
        assert_eq!(p("zz", 36.0), "1295");
        assert_eq!(p("777", 8.0), "511");
        assert_eq!(p("zZ", 62.0), "2231");
        assert_eq!(p("7f", 16.0), "127");
        assert_eq!(
            e("parseint", vec![s("12x"), n(10.0)]),
            "cannot parse \"12x\" as a base 10 integer"
        );
        assert!(e("parseint", vec![s("1_000"), n(10.0)]).starts_with("cannot parse"));
        assert!(e("parseint", vec![s("-0x1f"), n(16.0)]).starts_with("cannot parse"));
        assert_eq!(
            e("parseint", vec![s("12"), n(1.0)]),
            "base must be a whole number between 2 and 62 inclusive"
        );
        assert_eq!(
            e("parseint", vec![n(12.0), n(10.0)]),
            "first argument must be a string, not number"
        );
    }

    #[test]
    fn parseint_big_is_exact() {
        let r = c("parseint", vec![s("18446744073709551616"), n(10.0)]).unwrap();
        let want = Number::from_bigint(&"18446744073709551616".parse().unwrap());
        assert_eq!(r.as_number(), Some(&want));
    }
}

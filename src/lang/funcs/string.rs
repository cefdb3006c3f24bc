//! Built-in functions: string family.

use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    r.add(Func::new(
        "upper",
        vec![Param::new("str", Type::String)],
        Type::String,
        upper,
    ));
}

fn upper(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(
        a[0].as_str().unwrap_or_default().to_uppercase(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::lang::funcs::{call, FnCtx};
    use crate::lang::value::Value;

    #[test]
    fn upper_converts_and_marks() {
        let ctx = FnCtx::default();
        let r = call(&ctx, "upper", vec![Value::string("abc")]).unwrap();
        assert_eq!(r.as_str(), Some("ABC"));
        let r = call(&ctx, "upper", vec![Value::string("x").mark(true)]).unwrap();
        assert!(r.sensitive);
    }
}

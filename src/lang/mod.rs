//! Evaluation of the Terraform language: values, types, conversion,
//! expressions and built-in functions.

pub mod convert;
pub mod eval;
pub mod funcs;
pub mod heredoc;
pub mod json;
pub mod number;
pub mod refs;
pub mod render;
pub mod types;
pub mod value;

pub use number::Number;
pub use types::Type;
pub use value::{Kind, Value};

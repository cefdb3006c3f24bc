//! Built-in functions: filesystem family.

use super::Registry;

pub fn register(_r: &mut Registry) {}

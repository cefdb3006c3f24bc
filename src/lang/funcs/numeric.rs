//! Built-in functions: numeric family.

use super::Registry;

pub fn register(_r: &mut Registry) {}

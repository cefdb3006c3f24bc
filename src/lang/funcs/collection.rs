//! Built-in functions: collection family.

use super::Registry;

pub fn register(_r: &mut Registry) {}

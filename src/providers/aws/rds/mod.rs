//! rds resources and data sources.

use crate::providers::Registry;

pub fn register(_r: &mut Registry) {}

//! herd: the Terraform language and engine for AWS, in one binary.
#![forbid(unsafe_code)]

pub mod fmt;
pub mod lang;

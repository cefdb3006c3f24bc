//! Evaluation of the Terraform language: values, types, expressions, functions.

pub mod number;

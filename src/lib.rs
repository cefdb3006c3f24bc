//! herd: the Terraform language and engine for AWS, in one binary.
//!
//! Pipeline: `config` (static loading) → `lang` (evaluation) → `engine`
//! (walks) → `state` (the JSON state file); `modules` installs remote module
//! packages for `init`. `cli` turns arguments into engine
//! calls and renders the results.
#![forbid(unsafe_code)]

pub mod addrs;
pub mod cli;
pub mod config;
pub mod diag;
pub mod encryption;
pub mod engine;
pub mod fmt;
pub mod graph;
pub mod lang;
pub mod lockfile;
pub mod modules;
pub mod plan;
pub mod providers;
pub mod state;
pub mod version;

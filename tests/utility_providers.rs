//! End-to-end tests of the built-in utility providers (random, null, time,
//! local, archive, template, external) with the herd binary: each case writes a
//! configuration into its own temporary directory, applies it, checks the
//! state against the HashiCorp provider's layout (attributes, schema
//! version, provider address), re-plans for "No changes.", changes
//! arguments to see replacement or update as the provider plans them, and
//! destroys. One binary, one module per provider.

#[path = "utility/common.rs"]
mod common;

#[path = "utility/archive.rs"]
mod archive;
#[path = "utility/external.rs"]
mod external;
#[path = "utility/local.rs"]
mod local;
#[path = "utility/null.rs"]
mod null;
#[path = "utility/providers.rs"]
mod providers;
#[path = "utility/random.rs"]
mod random;
#[path = "utility/template.rs"]
mod template;
#[path = "utility/time.rs"]
mod time;

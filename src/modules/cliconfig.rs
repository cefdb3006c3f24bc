//! The parts of Terraform's CLI configuration the installer honours:
//! registry credentials (`credentials "HOST" { token = "…" }` in the file
//! named by `TF_CLI_CONFIG_FILE` or `~/.terraformrc`, the
//! `~/.terraform.d/credentials.tfrc.json` that `terraform login` writes, and
//! `TF_TOKEN_<host>` environment variables, which win), and `host` blocks
//! that override service discovery (`host "HOST" { services = { … } }`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Structure;

#[derive(Clone, Debug, Default)]
pub struct CliConfig {
    pub tokens: BTreeMap<String, String>,
    /// Discovery overrides: host → service id → URL.
    pub hosts: BTreeMap<String, BTreeMap<String, String>>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// `TF_TOKEN_app_terraform_io` → `app.terraform.io` (`__` is `-`).
fn env_host(var: &str) -> Option<String> {
    let rest = var.strip_prefix("TF_TOKEN_")?;
    if rest.is_empty() {
        return None;
    }
    Some(
        rest.replace("__", "\u{0}")
            .replace('_', ".")
            .replace('\u{0}', "-")
            .to_ascii_lowercase(),
    )
}

fn key_name(k: &ObjectKey) -> Option<String> {
    match k {
        ObjectKey::Ident(i) => Some(i.as_str().to_string()),
        ObjectKey::Expression(e) => crate::config::const_string(e),
    }
}

impl CliConfig {
    /// Load from the environment and the usual files. Problems with the
    /// files are returned as warnings (Terraform carries on too).
    pub fn load() -> (CliConfig, Vec<String>) {
        let mut c = CliConfig::default();
        let mut warnings = Vec::new();
        let file = match std::env::var_os("TF_CLI_CONFIG_FILE") {
            Some(f) if !f.is_empty() => Some(PathBuf::from(f)),
            _ => home().map(|h| h.join(".terraformrc")),
        };
        if let Some(f) = file {
            if let Ok(text) = std::fs::read_to_string(&f) {
                if let Err(e) = c.read_hcl(&text) {
                    warnings.push(format!("{}: {e}", f.display()));
                }
            }
        }
        if let Some(h) = home() {
            let p = h.join(".terraform.d/credentials.tfrc.json");
            if let Ok(text) = std::fs::read_to_string(&p) {
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(j) => {
                        if let Some(m) = j.get("credentials").and_then(|c| c.as_object()) {
                            for (host, v) in m {
                                if let Some(t) = v.get("token").and_then(|t| t.as_str()) {
                                    c.tokens
                                        .entry(host.to_ascii_lowercase())
                                        .or_insert_with(|| t.to_string());
                                }
                            }
                        }
                    }
                    Err(e) => warnings.push(format!("{}: {e}", p.display())),
                }
            }
        }
        for (k, v) in std::env::vars() {
            if let Some(h) = env_host(&k) {
                c.tokens.insert(h, v);
            }
        }
        (c, warnings)
    }

    fn read_hcl(&mut self, text: &str) -> Result<(), String> {
        let body = hcl_edit::parser::parse_body(text).map_err(|e| e.message().to_string())?;
        for s in body.iter() {
            let Structure::Block(b) = s else { continue };
            let label = b.labels.first().map(|l| l.as_str().to_ascii_lowercase());
            match (b.ident.as_str(), label) {
                ("credentials", Some(host)) => {
                    if let Some(t) = crate::config::attr(&b.body, "token")
                        .and_then(|a| crate::config::const_string(&a.value))
                    {
                        self.tokens.entry(host).or_insert(t);
                    }
                }
                ("host", Some(host)) => {
                    if let Some(Expression::Object(o)) =
                        crate::config::attr(&b.body, "services").map(|a| &a.value)
                    {
                        let m = self.hosts.entry(host).or_default();
                        for (k, v) in o.iter() {
                            if let (Some(k), Some(v)) =
                                (key_name(k), crate::config::const_string(v.expr()))
                            {
                                m.insert(k, v);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub fn token(&self, host: &str) -> Option<&str> {
        self.tokens
            .get(&host.to_ascii_lowercase())
            .map(|s| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(
            env_host("TF_TOKEN_app_terraform_io").as_deref(),
            Some("app.terraform.io")
        );
        assert_eq!(
            env_host("TF_TOKEN_my__reg_example_com").as_deref(),
            Some("my-reg.example.com")
        );
        assert_eq!(env_host("PATH"), None);
    }

    #[test]
    fn hcl_file() {
        let mut c = CliConfig::default();
        c.read_hcl(
            "credentials \"reg.example.com\" {\n  token = \"abc\"\n}\nhost \"reg.example.com\" {\n  services = {\n    \"modules.v1\" = \"http://127.0.0.1:1/v1/modules/\"\n  }\n}\n",
        )
        .unwrap();
        assert_eq!(c.token("REG.example.com"), Some("abc"));
        assert_eq!(
            c.hosts["reg.example.com"]["modules.v1"],
            "http://127.0.0.1:1/v1/modules/"
        );
    }
}

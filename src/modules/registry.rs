//! The module registry protocol: service discovery
//! (`/.well-known/terraform.json` → `modules.v1`, or a `host` block of the
//! CLI configuration), the `versions` listing, and `download`, whose answer
//! (an `X-Terraform-Get` header, or a JSON `location`) is the go-getter
//! address of the package. Requests carry the host's bearer token when the
//! CLI configuration has one. Registry hosts on a loopback address are
//! contacted over plain HTTP (local test registries); all others over HTTPS.

use super::cliconfig::CliConfig;
use super::http::{resolve, HttpClient, HttpError};
use super::source::RegistrySource;
use crate::version::Version;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("failed to request discovery document: {0}")]
    Discovery(HttpError),
    #[error("host {0} does not provide a module registry")]
    NoModules(String),
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("module not found")]
    NotFound,
    #[error("{0}")]
    Status(String),
    #[error("{0}")]
    Invalid(String),
}

pub struct Registry<'a> {
    pub http: &'a mut HttpClient,
    pub config: &'a CliConfig,
}

fn is_loopback(host: &str) -> bool {
    let h = match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

impl Registry<'_> {
    fn headers(&self, host: &str) -> Vec<(String, String)> {
        match self.config.token(host) {
            Some(t) => vec![("Authorization".into(), format!("Bearer {t}"))],
            None => vec![],
        }
    }

    /// The base URL of the host's `modules.v1` service (ends in `/`).
    pub fn discover(&mut self, host: &str) -> Result<String, RegistryError> {
        if let Some(u) = self
            .config
            .hosts
            .get(&host.to_ascii_lowercase())
            .and_then(|m| m.get("modules.v1"))
        {
            return Ok(with_slash(u));
        }
        let scheme = if is_loopback(host) { "http" } else { "https" };
        let url = format!("{scheme}://{host}/.well-known/terraform.json");
        let headers = self.headers(host);
        let r = self
            .http
            .get(&url, &headers)
            .map_err(RegistryError::Discovery)?;
        if r.status == 404 {
            return Err(RegistryError::NoModules(host.into()));
        }
        if r.status != 200 {
            return Err(RegistryError::Status(format!(
                "failed to request discovery document: {} returned status {}",
                url, r.status
            )));
        }
        let j: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| {
            RegistryError::Invalid(format!("invalid discovery document from {url}: {e}"))
        })?;
        match j.get("modules.v1").and_then(|v| v.as_str()) {
            Some(u) => Ok(with_slash(&resolve(&r.url, u))),
            None => Err(RegistryError::NoModules(host.into())),
        }
    }

    /// The versions the registry offers for a module.
    pub fn versions(&mut self, m: &RegistrySource) -> Result<Vec<Version>, RegistryError> {
        let base = self.discover(&m.host)?;
        let url = format!("{base}{}/{}/{}/versions", m.namespace, m.name, m.provider);
        let headers = self.headers(&m.host);
        let r = self.http.get(&url, &headers)?;
        match r.status {
            200 => {}
            404 => return Err(RegistryError::NotFound),
            401 | 403 => {
                return Err(RegistryError::Status(format!(
                    "error looking up module versions: {} returned status {} (unauthorized: check the credentials for {})",
                    url, r.status, m.host
                )))
            }
            s => {
                return Err(RegistryError::Status(format!(
                    "error looking up module versions: {url} returned status {s}"
                )))
            }
        }
        let j: serde_json::Value = serde_json::from_slice(&r.body)
            .map_err(|e| RegistryError::Invalid(format!("invalid versions response: {e}")))?;
        let list = j
            .get("modules")
            .and_then(|m| m.as_array())
            .and_then(|a| a.first())
            .and_then(|m| m.get("versions"))
            .and_then(|v| v.as_array())
            .ok_or_else(|| {
                RegistryError::Invalid("the versions response has no \"modules\" list".into())
            })?;
        Ok(list
            .iter()
            .filter_map(|v| v.get("version").and_then(|s| s.as_str()))
            .filter_map(|s| Version::parse(s).ok())
            .collect())
    }

    /// The go-getter address of a module version's package.
    pub fn download_url(
        &mut self,
        m: &RegistrySource,
        v: &Version,
    ) -> Result<String, RegistryError> {
        let base = self.discover(&m.host)?;
        let url = format!(
            "{base}{}/{}/{}/{}/download",
            m.namespace,
            m.name,
            m.provider,
            v.original()
        );
        let headers = self.headers(&m.host);
        let r = self.http.get(&url, &headers)?;
        if r.status == 404 {
            return Err(RegistryError::NotFound);
        }
        if !(200..300).contains(&r.status) {
            return Err(RegistryError::Status(format!(
                "error getting download location for {}: {url} returned status {}",
                m.package(),
                r.status
            )));
        }
        let loc = match r.header("x-terraform-get") {
            Some(l) => l,
            None => serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|j| {
                    j.get("location")
                        .and_then(|l| l.as_str())
                        .map(str::to_string)
                })
                .ok_or_else(|| {
                    RegistryError::Invalid(format!(
                        "failed to get download URL for {}: {} returned no X-Terraform-Get header",
                        m.package(),
                        url
                    ))
                })?,
        };
        Ok(resolve(&r.url, &loc))
    }
}

fn with_slash(u: &str) -> String {
    if u.ends_with('/') {
        u.to_string()
    } else {
        format!("{u}/")
    }
}

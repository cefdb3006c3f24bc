//! Module source addresses, parsed and normalised the way Terraform's
//! `addrs.ParseModuleSource` does: a local path (`./x`, `../x`), a module
//! registry address (`[HOST/]NAMESPACE/NAME/PROVIDER[//SUBDIR]`), or a remote
//! go-getter address (`git::URL`, `git@host:path`, `github.com/o/r`,
//! `https://…` archives, `s3::…`), each with an optional `//subdir`. The
//! normalised string is what `modules.json` records.

use std::fmt;

pub const DEFAULT_REGISTRY: &str = "registry.terraform.io";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct SourceError(pub String);

/// A parsed module source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Local(String),
    Registry(RegistrySource),
    Remote(RemoteSource),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrySource {
    pub host: String,
    pub namespace: String,
    pub name: String,
    pub provider: String,
    pub subdir: String,
}

impl RegistrySource {
    /// `host/namespace/name/provider`, without the subdirectory.
    pub fn package(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.host, self.namespace, self.name, self.provider
        )
    }
}

/// A go-getter package address: the getter (`git`, `http`, `s3`, …), the
/// URL it fetches, and the subdirectory inside the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteSource {
    pub getter: String,
    pub url: String,
    pub subdir: String,
}

impl RemoteSource {
    /// The package address as Terraform displays it (`git::https://…?ref=…`).
    pub fn package(&self) -> String {
        if self.getter == "http" {
            self.url.clone()
        } else {
            format!("{}::{}", self.getter, self.url)
        }
    }
}

fn with_subdir(base: String, subdir: &str) -> String {
    if subdir.is_empty() {
        return base;
    }
    match base.split_once('?') {
        Some((a, q)) => format!("{a}//{subdir}?{q}"),
        None => format!("{base}//{subdir}"),
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Local(p) => f.write_str(p),
            Source::Registry(r) => f.write_str(&with_subdir(r.package(), &r.subdir)),
            Source::Remote(r) => f.write_str(&with_subdir(r.package(), &r.subdir)),
        }
    }
}

pub fn is_local(s: &str) -> bool {
    s.starts_with("./")
        || s.starts_with("../")
        || s == "."
        || s == ".."
        || s.starts_with(".\\")
        || s.starts_with("..\\")
}

/// A local path cleaned as Terraform records it: `.` and `..` resolved
/// lexically, a trailing `/` dropped, the `./` or `../` prefix kept
/// (`../../` → `../..`, `./a/../b` → `./b`).
fn clean_local(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in s.split('/') {
        match seg {
            "" | "." => {}
            ".." => match out.last() {
                Some(l) if *l != ".." => {
                    out.pop();
                }
                _ => out.push(".."),
            },
            x => out.push(x),
        }
    }
    let p = out.join("/");
    if p.is_empty() {
        ".".into()
    } else if p == ".." || p.starts_with("../") {
        p
    } else {
        format!("./{p}")
    }
}

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn is_provider_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn is_hostname(s: &str) -> bool {
    let (h, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    (h.contains('.') || h == "localhost")
        && h.split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

/// Split `//subdir` off a go-getter address (after any `scheme://`).
fn split_subdir(s: &str) -> (String, String) {
    let (forced, rest) = match s.find("::") {
        Some(i) if !s[..i].contains('/') => (&s[..i + 2], &s[i + 2..]),
        _ => ("", s),
    };
    let start = rest.find("://").map(|i| i + 3).unwrap_or(0);
    let (body, query) = match rest.find('?') {
        Some(q) if q >= start => (&rest[..q], &rest[q..]),
        _ => (rest, ""),
    };
    match body[start..].find("//") {
        Some(i) => {
            let i = start + i;
            let sub = body[i + 2..].trim_matches('/').to_string();
            (format!("{forced}{}{query}", &body[..i]), sub)
        }
        None => (s.to_string(), String::new()),
    }
}

fn parse_registry(s: &str) -> Option<RegistrySource> {
    let (pkg, subdir) = match s.find("//") {
        Some(i) => (&s[..i], s[i + 2..].trim_matches('/').to_string()),
        None => (s, String::new()),
    };
    let parts: Vec<&str> = pkg.split('/').collect();
    let (host, rest) = match parts.len() {
        3 => (DEFAULT_REGISTRY.to_string(), &parts[..]),
        4 if is_hostname(parts[0]) => (parts[0].to_ascii_lowercase(), &parts[1..]),
        _ => return None,
    };
    if host == "github.com" || host == "bitbucket.org" {
        return None;
    }
    if !is_label(rest[0]) || !is_label(rest[1]) || !is_provider_name(rest[2]) {
        return None;
    }
    Some(RegistrySource {
        host,
        namespace: rest[0].to_string(),
        name: rest[1].to_string(),
        provider: rest[2].to_string(),
        subdir,
    })
}

/// `git@host:path` → `ssh://git@host/path`.
fn scp_to_ssh(s: &str) -> Option<String> {
    let (user_host, path) = s.split_once(':')?;
    if user_host.contains('/') || path.starts_with("//") || !user_host.contains('@') {
        return None;
    }
    Some(format!(
        "ssh://{user_host}/{}",
        path.trim_start_matches('/')
    ))
}

/// Parse and normalise a module source address.
pub fn parse(raw: &str) -> Result<Source, SourceError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(SourceError("The module source address is empty.".into()));
    }
    if is_local(s) {
        return Ok(Source::Local(clean_local(&s.replace('\\', "/"))));
    }
    if s.starts_with('/') {
        return Err(SourceError(format!(
            "Terraform cannot detect a supported external module source type for {s}: absolute local paths are not module sources; use a path beginning with \"./\" or \"../\"."
        )));
    }
    if !s.contains("::") && !s.contains("://") {
        if let Some(r) = parse_registry(s) {
            return Ok(Source::Registry(r));
        }
    }
    let (pkg, subdir) = split_subdir(s);
    let (getter, url) = match pkg.split_once("::") {
        Some((g, u)) if !g.contains('/') && !g.contains(':') => {
            let u = if g == "git" {
                scp_to_ssh(u).unwrap_or_else(|| u.to_string())
            } else {
                u.to_string()
            };
            (g.to_string(), u)
        }
        _ => detect(&pkg)?,
    };
    match getter.as_str() {
        "git" | "http" | "https" | "s3" | "hg" | "gcs" => {}
        g => {
            return Err(SourceError(format!(
                "The module source {s:?} uses the unknown getter {g:?}; supported are git, http, https, s3."
            )))
        }
    }
    let getter = if getter == "https" {
        "http".to_string()
    } else {
        getter
    };
    Ok(Source::Remote(RemoteSource {
        getter,
        url,
        subdir,
    }))
}

/// go-getter's detectors for addresses without a forced getter.
fn detect(s: &str) -> Result<(String, String), SourceError> {
    if let Some(rest) = s.strip_prefix("github.com/") {
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, format!("?{q}")),
            None => (rest, String::new()),
        };
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 2 {
            return Err(SourceError(format!(
                "GitHub URLs should be github.com/username/repo, not {s:?}."
            )));
        }
        let repo = parts[1].trim_end_matches(".git");
        return Ok((
            "git".into(),
            format!("https://github.com/{}/{repo}.git{query}", parts[0]),
        ));
    }
    if let Some(rest) = s.strip_prefix("bitbucket.org/") {
        return Ok(("git".into(), format!("https://bitbucket.org/{rest}")));
    }
    if s.starts_with("git@") {
        if let Some(u) = scp_to_ssh(s) {
            return Ok(("git".into(), u));
        }
    }
    if let Some(rest) = s.strip_prefix("git::") {
        return Ok(("git".into(), rest.to_string()));
    }
    if s.starts_with("https://") || s.starts_with("http://") {
        let path = s.split('?').next().unwrap_or(s);
        if path.ends_with(".git") {
            return Ok(("git".into(), s.to_string()));
        }
        return Ok(("http".into(), s.to_string()));
    }
    if s.starts_with("s3://") || s.contains(".amazonaws.com/") {
        return Ok(("s3".into(), s.to_string()));
    }
    if s.starts_with("ssh://") {
        return Ok(("git".into(), s.to_string()));
    }
    if s.starts_with("file://") {
        return Err(SourceError(format!(
            "The module source {s:?} is a file:// URL without a getter; use a local path (\"./…\") or \"git::file://…\"."
        )));
    }
    Err(SourceError(format!(
        "Terraform cannot detect a supported external module source type for {s}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        parse(s).unwrap().to_string()
    }

    #[test]
    fn registry_addresses() {
        match parse("terraform-aws-modules/vpc/aws").unwrap() {
            Source::Registry(r) => {
                assert_eq!(r.host, "registry.terraform.io");
                assert_eq!(
                    r.package(),
                    "registry.terraform.io/terraform-aws-modules/vpc/aws"
                );
            }
            s => panic!("{s:?}"),
        }
        assert_eq!(
            norm("app.terraform.io/acme/vpc/aws//modules/sub"),
            "app.terraform.io/acme/vpc/aws//modules/sub"
        );
        assert_eq!(norm("127.0.0.1:8080/ns/n/aws"), "127.0.0.1:8080/ns/n/aws");
    }

    #[test]
    fn git_addresses() {
        assert_eq!(
            norm("github.com/hashicorp/example?ref=v1.2.0"),
            "git::https://github.com/hashicorp/example.git?ref=v1.2.0"
        );
        assert_eq!(
            norm("git@github.com:hashicorp/example.git"),
            "git::ssh://git@github.com/hashicorp/example.git"
        );
        assert_eq!(
            norm("git::https://example.com/vpc.git//modules/x?ref=v1"),
            "git::https://example.com/vpc.git//modules/x?ref=v1"
        );
        match parse("git::https://example.com/vpc.git//modules/x?ref=v1").unwrap() {
            Source::Remote(r) => {
                assert_eq!(r.package(), "git::https://example.com/vpc.git?ref=v1");
                assert_eq!(r.subdir, "modules/x");
            }
            s => panic!("{s:?}"),
        }
        assert_eq!(
            norm("git::file:///tmp/repo//modules/sub"),
            "git::file:///tmp/repo//modules/sub"
        );
    }

    #[test]
    fn http_and_local() {
        assert_eq!(
            norm("https://example.com/m.zip//sub"),
            "https://example.com/m.zip//sub"
        );
        assert_eq!(norm("../../"), "../..");
        assert_eq!(norm("./loc"), "./loc");
        assert_eq!(norm("./a/../b/"), "./b");
        assert_eq!(norm("../../modules/x"), "../../modules/x");
        assert!(matches!(parse("./x").unwrap(), Source::Local(_)));
        assert!(parse("/abs/path").is_err());
        assert!(parse("nonsense").is_err());
    }
}

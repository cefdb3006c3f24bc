//! Versions and version constraints as Terraform reads them (the semantics of
//! hashicorp/go-version, which Terraform uses for `required_version`, module
//! `version` and `required_providers`): a version is `MAJOR[.MINOR[.PATCH]]`
//! with an optional `-prerelease` and `+metadata`; a constraint string is a
//! comma-separated list of `OP VERSION` terms, all of which must hold, with the
//! operators `=`, `!=`, `>`, `>=`, `<`, `<=` and `~>` (a bare version means
//! `=`). A pre-release version only matches a constraint that names a
//! pre-release of the same base version.

use std::cmp::Ordering;
use std::fmt;

/// The Terraform language version herd implements: what `required_version`
/// is checked against and what state and plan files record.
pub const TERRAFORM_VERSION: &str = "1.11.4";

/// The hashicorp/aws provider version whose schemas herd's built-in provider
/// follows: what `required_providers` constraints on `aws` are checked against.
pub const AWS_PROVIDER_VERSION: &str = "5.100.0";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VersionError {
    #[error("Malformed version: {0}")]
    Version(String),
    #[error("Malformed constraint: {0}")]
    Constraint(String),
}

/// A parsed version. Equality and order ignore how it was written
/// (`1.2` equals `1.2.0`) and its build metadata.
#[derive(Clone, Debug)]
pub struct Version {
    /// Numeric segments, padded to at least three.
    pub segments: Vec<u64>,
    /// How many segments were written (go-version's `si`).
    pub specified: usize,
    pub pre: String,
    pub meta: String,
    original: String,
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, VersionError> {
        let bad = || VersionError::Version(s.to_string());
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let (rest, meta) = match t.split_once('+') {
            Some((a, b)) => (a, b.to_string()),
            None => (t, String::new()),
        };
        let (nums, pre) = match rest.split_once('-') {
            Some((a, b)) => (a, b.to_string()),
            None => (rest, String::new()),
        };
        if nums.is_empty() || (meta.is_empty() && t.ends_with('+')) {
            return Err(bad());
        }
        let mut segments = Vec::new();
        for p in nums.split('.') {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            segments.push(p.parse::<u64>().map_err(|_| bad())?);
        }
        if segments.len() > 3
            || !pre
                .split('.')
                .all(|p| p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            || (rest.contains('-') && pre.is_empty())
        {
            return Err(bad());
        }
        let specified = segments.len();
        while segments.len() < 3 {
            segments.push(0);
        }
        Ok(Version {
            segments,
            specified,
            pre,
            meta,
            original: s.trim().to_string(),
        })
    }

    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// The version as written.
    pub fn original(&self) -> &str {
        &self.original
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.segments[0], self.segments[1], self.segments[2]
        )?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = match (pa.get(i), pb.get(i)) {
            (Some(x), Some(y)) => (x, y),
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (None, None) => break,
        };
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

impl PartialEq for Version {
    fn eq(&self, o: &Version) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Version) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Version) -> Ordering {
        self.segments
            .cmp(&o.segments)
            .then_with(|| cmp_pre(&self.pre, &o.pre))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

/// One `OP VERSION` term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub op: Op,
    pub version: Version,
}

impl Constraint {
    pub fn check(&self, v: &Version) -> bool {
        let c = &self.version;
        // Pre-release versions only match constraints naming a pre-release
        // of the same base version.
        match (c.is_prerelease(), v.is_prerelease()) {
            (true, true) if c.segments != v.segments => return false,
            (false, true) => return false,
            (true, false) if self.op == Op::Pessimistic => return false,
            _ => {}
        }
        match self.op {
            Op::Eq => v == c,
            Op::Ne => v != c,
            Op::Gt => v > c,
            Op::Ge => v >= c,
            Op::Lt => v < c,
            Op::Le => v <= c,
            Op::Pessimistic => {
                if v < c {
                    return false;
                }
                let n = c.specified.max(1);
                if c.specified > 1 {
                    for i in 0..n - 1 {
                        if v.segments[i] != c.segments[i] {
                            return false;
                        }
                    }
                }
                c.segments[n - 1] <= v.segments[n - 1]
            }
        }
    }
}

/// A list of constraints that must all hold.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Constraints(pub Vec<Constraint>);

impl Constraints {
    pub fn parse(s: &str) -> Result<Constraints, VersionError> {
        let mut out = Vec::new();
        for part in s.split(',') {
            let p = part.trim();
            let bad = || VersionError::Constraint(p.to_string());
            let (op, rest) = [
                ("~>", Op::Pessimistic),
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("!=", Op::Ne),
                ("=", Op::Eq),
                (">", Op::Gt),
                ("<", Op::Lt),
            ]
            .iter()
            .find_map(|(t, op)| p.strip_prefix(t).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, p));
            let rest = rest.trim();
            if rest.is_empty() {
                return Err(bad());
            }
            let version = Version::parse(rest).map_err(|_| bad())?;
            out.push(Constraint { op, version });
        }
        Ok(Constraints(out))
    }

    /// Whether `v` satisfies every term. No terms accept any release, but
    /// no pre-release (one must be named to be chosen).
    pub fn check(&self, v: &Version) -> bool {
        if self.0.is_empty() {
            return !v.is_prerelease();
        }
        self.0.iter().all(|c| c.check(v))
    }

    /// Whether a version string satisfies a constraint string.
    pub fn matches(constraints: &str, version: &str) -> Result<bool, VersionError> {
        Ok(Constraints::parse(constraints)?.check(&Version::parse(version)?))
    }

    /// The newest of `versions` that satisfies the constraints.
    pub fn newest<'a>(&self, versions: &'a [Version]) -> Option<&'a Version> {
        versions.iter().filter(|v| self.check(v)).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: &str, v: &str) -> bool {
        Constraints::matches(c, v).unwrap()
    }

    #[test]
    fn operators() {
        assert!(m("1.2.3", "1.2.3"));
        assert!(m("= 1.2", "1.2.0"));
        assert!(!m("!= 1.2.3", "1.2.3"));
        assert!(m("> 1.2.3", "1.2.4"));
        assert!(!m("> 1.2.3", "1.2.3"));
        assert!(m(">= 1.2.3", "1.2.3"));
        assert!(m("< 2", "1.99.0"));
        assert!(!m("< 0.1", "1.11.4"));
        assert!(m("<= 1.2.3", "1.2.3"));
        assert!(m(">= 1.0, < 2.0", "1.5.0"));
        assert!(!m(">= 1.0, < 2.0", "2.0.0"));
    }

    #[test]
    fn pessimistic_follows_go_version() {
        assert!(m("~> 1.2", "1.9.0"));
        assert!(!m("~> 1.2", "2.0.0"));
        assert!(m("~> 1.2.3", "1.2.9"));
        assert!(!m("~> 1.2.3", "1.3.0"));
        assert!(!m("~> 1.2.3", "1.2.2"));
        // Terraform 1.11.4 accepts `required_version = "~> 0"` (go-version).
        assert!(m("~> 0", "1.11.4"));
        assert!(m("~> 5.0", "5.100.0"));
        assert!(!m("~> 4.0", "5.100.0"));
    }

    #[test]
    fn prereleases_only_when_named() {
        assert!(!m(">= 1.0", "1.1.0-beta1"));
        assert!(m("= 1.1.0-beta1", "1.1.0-beta1"));
        assert!(m(">= 1.1.0-beta1", "1.1.0-beta2"));
        assert!(!m(">= 1.1.0-beta1", "1.2.0-beta2"));
        assert!(m(">= 1.1.0-beta1", "1.1.0"));
        assert!(Version::parse("1.0.0-rc1").unwrap() < Version::parse("1.0.0").unwrap());
    }

    #[test]
    fn newest_and_errors() {
        let vs: Vec<Version> = ["1.0.0", "1.2.0", "2.0.0", "2.1.0-rc1"]
            .iter()
            .map(|v| Version::parse(v).unwrap())
            .collect();
        let c = Constraints::parse("~> 1.0").unwrap();
        assert_eq!(c.newest(&vs).unwrap().to_string(), "1.2.0");
        assert_eq!(
            Constraints::parse(">= 0")
                .unwrap()
                .newest(&vs)
                .unwrap()
                .to_string(),
            "2.0.0"
        );
        let pre: Vec<Version> = ["1.0.0", "1.1.0-rc1"]
            .iter()
            .map(|v| Version::parse(v).unwrap())
            .collect();
        assert_eq!(
            Constraints::default().newest(&pre).unwrap().to_string(),
            "1.0.0"
        );
        assert!(Constraints::parse(">= banana").is_err());
        assert!(Constraints::parse("").is_err());
        assert!(Version::parse("1.2.3.4").is_err());
    }
}

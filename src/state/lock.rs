//! State locking like Terraform's local backend: an exclusive OS lock plus a
//! lock-info file `.<statefile>.lock.info` next to the state holding
//! Terraform's JSON `LockInfo`.
//!
//! The OS lock (flock, through `fs2`) is taken on the lock-info file itself.
//! The holder removes the file before unlocking, and an acquirer that got the
//! lock on a file that was meanwhile unlinked or replaced (the path no longer
//! names the locked inode) retries, so only one process ever holds the lock
//! on the file the path names. A crashed holder's lock is released by the OS;
//! the stale info file it leaves is simply taken over by the next acquirer.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs2::FileExt;
use serde::{Deserialize, Serialize};

/// Terraform's `statemgr.LockInfo`, as written to the lock-info file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Info")]
    pub info: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "Path")]
    pub path: String,
}

impl LockInfo {
    fn new(state_path: &Path, operation: &str) -> LockInfo {
        LockInfo::for_path(&state_path.display().to_string(), operation)
    }

    /// A fresh lock info for the state at `path` (a file path, or
    /// `bucket/key` for S3, as Terraform writes it).
    pub fn for_path(path: &str, operation: &str) -> LockInfo {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            info: String::new(),
            who: who(),
            version: super::TERRAFORM_VERSION.to_string(),
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            path: path.to_string(),
        }
    }

    /// `Created` the way Go prints a `time.Time`
    /// (`2006-01-02 15:04:05.999999999 +0000 UTC`).
    pub fn created_display(&self) -> String {
        match chrono::DateTime::parse_from_rfc3339(&self.created) {
            Ok(t) => {
                let t = t.with_timezone(&chrono::Utc);
                let mut s = t.format("%Y-%m-%d %H:%M:%S").to_string();
                let nanos = t.timestamp_subsec_nanos();
                if nanos > 0 {
                    let frac = format!("{nanos:09}");
                    s.push('.');
                    s.push_str(frac.trim_end_matches('0'));
                }
                s.push_str(" +0000 UTC");
                s
            }
            Err(_) => self.created.clone(),
        }
    }
}

impl std::fmt::Display for LockInfo {
    /// Terraform's `LockInfo.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Lock Info:")?;
        writeln!(f, "  ID:        {}", self.id)?;
        writeln!(f, "  Path:      {}", self.path)?;
        writeln!(f, "  Operation: {}", self.operation)?;
        writeln!(f, "  Who:       {}", self.who)?;
        writeln!(f, "  Version:   {}", self.version)?;
        writeln!(f, "  Created:   {}", self.created_display())?;
        write!(f, "  Info:      {}", self.info)
    }
}

fn who() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

const LOCK_HINT: &str = "herd acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the \"-lock=false\"
flag, but this is not recommended.";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error("Error acquiring the state lock\n\nError message: resource temporarily unavailable\n{}\n\n{LOCK_HINT}", info_text(.info))]
    Held { info: Option<Box<LockInfo>> },
    #[error("Error acquiring the state lock\n\nError message: {path}: {source}\n\n{LOCK_HINT}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A remote lock (S3 lock object, DynamoDB item) is held by someone
    /// else: `msg` is the service's refusal.
    #[error("Error acquiring the state lock\n\nError message: {msg}\n{}\n\n{LOCK_HINT}", info_text(.info))]
    RemoteHeld {
        msg: String,
        info: Option<Box<LockInfo>>,
    },
    /// A remote backend failed while locking.
    #[error("Error acquiring the state lock\n\nError message: {0}\n\n{LOCK_HINT}")]
    RemoteAcquire(String),
    /// A remote backend failed while unlocking (force-unlock).
    #[error("{0}")]
    Remote(String),
    /// force-unlock: no lock-info file.
    #[error("the state at {0} is not locked")]
    NotLocked(PathBuf),
    /// force-unlock: the ID does not match the current lock.
    #[error("invalid lock id: {given:?}. current id: {:?}\n{}", .info.as_ref().map(|i| i.id.as_str()).unwrap_or(""), info_text(.info))]
    IdMismatch {
        given: String,
        info: Option<Box<LockInfo>>,
    },
    /// force-unlock: the lock is held by a live process; an OS lock cannot be
    /// broken from outside.
    #[error("Local state cannot be unlocked by another process\n{}", info_text(.info))]
    InUse { info: Option<Box<LockInfo>> },
}

fn info_text(i: &Option<Box<LockInfo>>) -> String {
    match i {
        Some(i) => i.to_string(),
        None => "Lock Info: (unavailable)".into(),
    }
}

/// Where the lock info of the state at `state_path` lives:
/// `<dir>/.<statefilename>.lock.info`.
pub fn info_path(state_path: &Path) -> PathBuf {
    let name = state_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "terraform.tfstate".into());
    state_dir(state_path).join(format!(".{name}.lock.info"))
}

fn state_dir(state_path: &Path) -> PathBuf {
    state_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A held state lock; released (info file removed, OS lock dropped) on drop.
#[derive(Debug)]
pub struct LockGuard {
    file: Option<File>,
    info_path: PathBuf,
    pub info: LockInfo,
}

impl LockGuard {
    pub fn id(&self) -> &str {
        &self.info.id
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = std::fs::remove_file(&self.info_path);
            let _ = FileExt::unlock(&f);
        }
    }
}

/// Try once to lock the info file; `Ok(None)` when another process holds it.
fn try_lock_once(p: &Path) -> std::io::Result<Option<File>> {
    loop {
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let f = opts.open(p)?;
        match f.try_lock_exclusive() {
            Ok(()) => {
                if names_same_file(&f, p) {
                    return Ok(Some(f));
                }
                // The previous holder removed the file between our open and
                // lock: try again on whatever the path names now.
                drop(f);
            }
            Err(e) if is_contended(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

fn is_contended(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::WouldBlock
        || e.raw_os_error().is_some()
            && e.raw_os_error() == fs2::lock_contended_error().raw_os_error()
}

#[cfg(unix)]
fn names_same_file(f: &File, p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(p)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn names_same_file(_f: &File, p: &Path) -> bool {
    p.exists()
}

/// Read the info of whoever holds (or last held) the lock. The holder writes
/// it right after locking, so an empty file is retried briefly.
pub fn read_info(state_path: &Path) -> Option<LockInfo> {
    let p = info_path(state_path);
    for _ in 0..10 {
        let mut s = String::new();
        match File::open(&p) {
            Ok(mut f) => {
                if f.read_to_string(&mut s).is_err() {
                    return None;
                }
            }
            Err(_) => return None,
        }
        if let Ok(i) = serde_json::from_str::<LockInfo>(&s) {
            return Some(i);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Take the lock of the state at `state_path` for `operation` (Terraform's
/// names: "state-mv", "state-rm", "OperationTypeApply", ...). With a timeout,
/// retry until it expires; without one (or zero), fail at once when held.
pub fn acquire(
    state_path: &Path,
    operation: &str,
    timeout: Option<Duration>,
) -> Result<LockGuard, LockError> {
    let p = info_path(state_path);
    let ioerr = |e| LockError::Io {
        path: p.clone(),
        source: e,
    };
    std::fs::create_dir_all(state_dir(state_path)).map_err(ioerr)?;
    let deadline = Instant::now() + timeout.unwrap_or(Duration::ZERO);
    loop {
        if let Some(mut f) = try_lock_once(&p).map_err(ioerr)? {
            let info = LockInfo::new(state_path, operation);
            let text = serde_json::to_string(&info).unwrap_or_default();
            let write = |f: &mut File| -> std::io::Result<()> {
                f.set_len(0)?;
                f.seek(SeekFrom::Start(0))?;
                f.write_all(text.as_bytes())?;
                f.sync_all()
            };
            if let Err(e) = write(&mut f) {
                let _ = std::fs::remove_file(&p);
                let _ = FileExt::unlock(&f);
                return Err(ioerr(e));
            }
            return Ok(LockGuard {
                file: Some(f),
                info_path: p,
                info,
            });
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(LockError::Held {
                info: read_info(state_path).map(Box::new),
            });
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(250)));
    }
}

/// Remove a stale lock (one whose holder is gone but whose info file
/// remains) when `id` matches its ID.
pub fn force_unlock(state_path: &Path, id: &str) -> Result<(), LockError> {
    let p = info_path(state_path);
    if !p.exists() {
        return Err(LockError::NotLocked(state_path.to_path_buf()));
    }
    let info = read_info(state_path).map(Box::new);
    if info.as_ref().map(|i| i.id.as_str()) != Some(id) {
        return Err(LockError::IdMismatch {
            given: id.to_string(),
            info,
        });
    }
    match try_lock_once(&p).map_err(|e| LockError::Io {
        path: p.clone(),
        source: e,
    })? {
        Some(f) => {
            let _ = std::fs::remove_file(&p);
            let _ = FileExt::unlock(&f);
            Ok(())
        }
        None => Err(LockError::InUse { info }),
    }
}

/// Parse a Go duration (`-lock-timeout`): "0s", "5s", "1m30s", "500ms",
/// "1.5h"; units ns, us/µs, ms, s, m, h. A bare "0" is allowed.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration {s:?}");
    let mut rest = s;
    if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    } else if rest.starts_with('-') {
        return Err(format!("negative duration {s:?}"));
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(invalid());
        }
        let n: f64 = num.parse().map_err(|_| invalid())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            u => return Err(format!("time: unknown unit {u:?} in duration {s:?}")),
        };
        total += n * scale;
    }
    if !total.is_finite() || total > 1e12 {
        return Err(invalid());
    }
    Ok(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("5").unwrap_err().contains("missing unit"));
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn lock_excludes_and_releases() {
        let d = tempfile::tempdir().unwrap();
        let sp = d.path().join("terraform.tfstate");
        let g = acquire(&sp, "test", None).unwrap();
        let ip = d.path().join(".terraform.tfstate.lock.info");
        let info: LockInfo = serde_json::from_str(&std::fs::read_to_string(&ip).unwrap()).unwrap();
        assert_eq!(info.id, g.id());
        assert_eq!(info.operation, "test");
        let e = acquire(&sp, "other", None).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("Error acquiring the state lock"), "{msg}");
        assert!(msg.contains(g.id()), "{msg}");
        assert!(msg.contains("-lock=false"), "{msg}");
        let t = Instant::now();
        assert!(acquire(&sp, "other", Some(Duration::from_millis(600))).is_err());
        assert!(t.elapsed() >= Duration::from_millis(600));
        assert!(matches!(
            force_unlock(&sp, g.id()),
            Err(LockError::InUse { .. })
        ));
        drop(g);
        assert!(!ip.exists());
        let g2 = acquire(&sp, "again", None).unwrap();
        drop(g2);
    }

    #[test]
    fn force_unlock_removes_stale_info() {
        let d = tempfile::tempdir().unwrap();
        let sp = d.path().join("terraform.tfstate");
        let ip = info_path(&sp);
        let info = LockInfo::new(&sp, "state-mv");
        std::fs::write(&ip, serde_json::to_string(&info).unwrap()).unwrap();
        assert!(matches!(
            force_unlock(&sp, "nope"),
            Err(LockError::IdMismatch { .. })
        ));
        force_unlock(&sp, &info.id).unwrap();
        assert!(!ip.exists());
        assert!(matches!(
            force_unlock(&sp, &info.id),
            Err(LockError::NotLocked(_))
        ));
    }
}

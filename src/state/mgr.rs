//! State managers, after Terraform's `statemgr`: a [`StateMgr`] reads,
//! writes and locks one workspace's state wherever it lives; a [`Backend`]
//! knows a configuration's workspaces (list, create, delete) and hands out
//! their managers. The engine and the CLI go through these two traits only;
//! [`Local`] is the local backend (`path`, `workspace_dir`: the files herd
//! always wrote), `super::s3` the S3 one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::lock::{self, LockError, LockInfo};
use super::{State, StateError};

/// A held state lock: released when dropped.
pub struct StateLock {
    pub info: LockInfo,
    _guard: Box<dyn Send>,
}

impl StateLock {
    pub fn new(info: LockInfo, guard: Box<dyn Send>) -> StateLock {
        StateLock {
            info,
            _guard: guard,
        }
    }
    pub fn id(&self) -> &str {
        &self.info.id
    }
}

/// One workspace's state: Terraform's Reader, Writer and Locker.
pub trait StateMgr: Send + Sync {
    /// Where the state lives, for messages (`terraform.tfstate`,
    /// `s3://bucket/key`).
    fn describe(&self) -> String;
    /// The current snapshot; `Ok(None)` when there is none yet.
    fn read(&self) -> Result<Option<State>, StateError>;
    /// Store `s` exactly as given (serial and lineage included).
    fn write(&self, s: &State) -> Result<(), StateError>;
    /// Take the lock for `operation`, retrying until `timeout` expires.
    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, LockError>;
    /// Remove a lock left behind, when `id` is its ID.
    fn force_unlock(&self, id: &str) -> Result<(), LockError>;
    /// Local files (false: a remote backend, whose failed writes are saved
    /// to `errored.tfstate`).
    fn is_local(&self) -> bool;
}

impl<'a> dyn StateMgr + 'a {
    /// Write `new` if its content changed from `prev` (bumping the serial);
    /// returns the state as stored.
    pub fn persist(&self, prev: Option<&State>, new: State) -> Result<State, StateError> {
        match (super::next_snapshot(prev, new), prev) {
            (Some(new), _) => {
                self.write(&new)?;
                Ok(new)
            }
            // Read with a fallback encryption method: write it again with
            // the primary one (same serial), as OpenTofu does.
            (None, Some(p))
                if crate::encryption::rewrite_pending(std::path::Path::new(&self.describe())) =>
            {
                self.write(p)?;
                Ok(p.clone())
            }
            (None, p) => Ok(p.cloned().unwrap_or_default()),
        }
    }
}

/// A configured backend: its workspaces and their state managers.
pub trait Backend: Send + Sync {
    /// The backend type name (`local`, `s3`).
    fn kind(&self) -> &'static str;
    /// Every workspace, `default` first, the others sorted.
    fn workspaces(&self) -> Result<Vec<String>, StateError>;
    /// Make `name` exist (so that it is listed).
    fn create_workspace(&self, name: &str) -> Result<(), StateError>;
    /// Delete the state of `name`.
    fn delete_workspace(&self, name: &str) -> Result<(), StateError>;
    /// The state manager of workspace `name`.
    fn state_mgr(&self, name: &str) -> Arc<dyn StateMgr>;
}

pub const DEFAULT_WORKSPACE: &str = "default";

/// The local backend: `path` for the default workspace,
/// `<workspace_dir>/<name>/terraform.tfstate` for the others.
pub struct Local {
    pub path: PathBuf,
    pub workspace_dir: PathBuf,
}

impl Local {
    pub fn new(dir: &Path, path: Option<&str>, workspace_dir: Option<&str>) -> Local {
        Local {
            path: dir.join(path.unwrap_or("terraform.tfstate")),
            workspace_dir: dir.join(workspace_dir.unwrap_or("terraform.tfstate.d")),
        }
    }

    pub fn state_path(&self, name: &str) -> PathBuf {
        if name == DEFAULT_WORKSPACE {
            self.path.clone()
        } else {
            self.workspace_dir.join(name).join("terraform.tfstate")
        }
    }
}

impl Backend for Local {
    fn kind(&self) -> &'static str {
        "local"
    }
    fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let mut v: Vec<String> = std::fs::read_dir(&self.workspace_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != DEFAULT_WORKSPACE)
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.insert(0, DEFAULT_WORKSPACE.into());
        Ok(v)
    }
    fn create_workspace(&self, name: &str) -> Result<(), StateError> {
        if name == DEFAULT_WORKSPACE {
            return Ok(());
        }
        let d = self.workspace_dir.join(name);
        std::fs::create_dir_all(&d).map_err(|e| StateError::Write { path: d, source: e })
    }
    fn delete_workspace(&self, name: &str) -> Result<(), StateError> {
        let d = self.workspace_dir.join(name);
        std::fs::remove_dir_all(&d).map_err(|e| StateError::Write { path: d, source: e })
    }
    fn state_mgr(&self, name: &str) -> Arc<dyn StateMgr> {
        Arc::new(LocalState {
            path: self.state_path(name),
        })
    }
}

/// One local state file.
pub struct LocalState {
    pub path: PathBuf,
}

impl StateMgr for LocalState {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }
    fn read(&self) -> Result<Option<State>, StateError> {
        super::read(&self.path)
    }
    fn write(&self, s: &State) -> Result<(), StateError> {
        super::write_atomic(&self.path, s)
    }
    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, LockError> {
        let g = lock::acquire(&self.path, operation, Some(timeout))?;
        let info = g.info.clone();
        Ok(StateLock::new(info, Box::new(g)))
    }
    fn force_unlock(&self, id: &str) -> Result<(), LockError> {
        lock::force_unlock(&self.path, id)
    }
    fn is_local(&self) -> bool {
        true
    }
}

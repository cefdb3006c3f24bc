//! Data source `archive_file`: a zip of `source_file`, of `source_dir`
//! (walked in lexical order, `excludes` matched as globs against paths
//! relative to it, symlinks followed unless `exclude_symlink_directories`),
//! of `source_content` named `source_content_filename`, or of `source`
//! blocks (sorted by file name), written to `output_path` on every read,
//! with its size and checksums (`id` is the SHA-1). `output_file_mode`
//! sets the mode recorded for file entries. Only `type = "zip"`.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::zip_writer::{write_zip, Entry};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::digest::{b64, hex, md5, sha1, sha256, sha512};
use crate::providers::builtin::{get, get_bool, get_str, with};
use crate::providers::{Attribute, BlockNesting, DataSource, ProviderCtx, ProviderError, Schema};

pub struct ArchiveFile {
    schema: Schema,
}

impl ArchiveFile {
    pub fn new() -> ArchiveFile {
        let s = || Attribute::optional(Type::String);
        let c = || Attribute::computed(Type::String);
        ArchiveFile {
            schema: Schema::new()
                .attr("id", c())
                .attr("type", Attribute::required(Type::String))
                .attr("source_content", s())
                .attr("source_content_filename", s())
                .attr("source_file", s())
                .attr("source_dir", s())
                .attr(
                    "excludes",
                    Attribute::optional(Type::Set(Box::new(Type::String))),
                )
                .attr(
                    "exclude_symlink_directories",
                    Attribute::optional(Type::Bool),
                )
                .attr("output_path", Attribute::required(Type::String))
                .attr("output_size", Attribute::computed(Type::Number))
                .attr("output_file_mode", s())
                .attr("output_md5", c())
                .attr("output_sha", c())
                .attr("output_sha256", c())
                .attr("output_base64sha256", c())
                .attr("output_sha512", c())
                .attr("output_base64sha512", c())
                .block(
                    "source",
                    BlockNesting::Set,
                    Schema::new()
                        .attr("content", Attribute::required(Type::String))
                        .attr("filename", Attribute::required(Type::String)),
                ),
        }
    }
}

impl Default for ArchiveFile {
    fn default() -> Self {
        ArchiveFile::new()
    }
}

/// `strconv.ParseUint(s, 0, 32)`: 0x, 0o, 0b or a leading 0 pick the base.
fn parse_go_uint(s: &str) -> Option<u32> {
    let s = s.replace('_', "");
    let (digits, radix) = if let Some(r) = s.strip_prefix("0x").or(s.strip_prefix("0X")) {
        (r.to_string(), 16)
    } else if let Some(r) = s.strip_prefix("0o").or(s.strip_prefix("0O")) {
        (r.to_string(), 8)
    } else if let Some(r) = s.strip_prefix("0b").or(s.strip_prefix("0B")) {
        (r.to_string(), 2)
    } else if s.len() > 1 && s.starts_with('0') {
        (s[1..].to_string(), 8)
    } else {
        (s.clone(), 10)
    };
    u32::from_str_radix(&digits, radix).ok()
}

/// Go's `fileModeToUnixMode` of a regular file's `os.FileMode` given as
/// the Unix permission and special bits.
fn unix_file_mode(perm_and_special: u32) -> u32 {
    0o100000 | (perm_and_special & 0o7777)
}

/// `os.FileMode(n)` as given in `output_file_mode`, to the Unix mode Go's
/// `SetMode` records: a plain number is a regular file with those
/// permission bits; Go's own mode bits for setuid etc. are not permissions.
fn output_mode(n: u32) -> u32 {
    let mut m = 0o100000 | (n & 0o777);
    // fs.ModeSetuid = 1<<23, ModeSetgid = 1<<22, ModeSticky = 1<<20.
    if n & (1 << 23) != 0 {
        m |= 0o4000;
    }
    if n & (1 << 22) != 0 {
        m |= 0o2000;
    }
    if n & (1 << 20) != 0 {
        m |= 0o1000;
    }
    m
}

#[derive(Default)]
struct DirOpts {
    excludes: Vec<glob::Pattern>,
    exclude_literal: Vec<String>,
    exclude_symlink_dirs: bool,
    mode: Option<u32>,
}

impl DirOpts {
    fn excluded(&self, rel: &str) -> bool {
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        self.exclude_literal.iter().any(|e| e == rel)
            || self.excludes.iter().any(|p| p.matches_with(rel, opts))
    }
}

/// `filepath.Walk` over `dir`, as the provider's walk function uses it.
fn walk(dir: &Path, base: &str, opts: &DirOpts, out: &mut Vec<Entry>) -> Result<(), String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("error encountered during file walk: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in names {
        let name = name.to_string_lossy().to_string();
        let path = dir.join(&name);
        let rel = if base.is_empty() {
            name.clone()
        } else {
            format!("{base}/{name}")
        };
        let matched = opts.excluded(&rel);
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| format!("error encountered during file walk: {e}"))?;
        if meta.is_dir() {
            if !matched {
                walk(&path, &rel, opts, out)?;
            }
            continue;
        }
        if matched {
            continue;
        }
        let meta = if meta.file_type().is_symlink() {
            let real = std::fs::canonicalize(&path).map_err(|e| e.to_string())?;
            let rm = std::fs::metadata(&real).map_err(|e| e.to_string())?;
            if rm.is_dir() {
                if !opts.exclude_symlink_dirs {
                    walk(&real, &rel, opts, out)?;
                }
                continue;
            }
            rm
        } else {
            meta
        };
        let data =
            std::fs::read(&path).map_err(|e| format!("error reading file for archival: {e}"))?;
        out.push(Entry {
            name: rel,
            data,
            unix_mode: Some(
                opts.mode
                    .unwrap_or_else(|| unix_file_mode(meta.permissions().mode())),
            ),
        });
    }
    Ok(())
}

/// The entries the configuration asks for.
fn entries(config: &Value) -> Result<Vec<Entry>, String> {
    let mode = match get_str(config, "output_file_mode").filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(output_mode(parse_go_uint(&s).ok_or_else(|| {
                format!("error parsing output_file_mode value: {s}")
            })?))
        }
        None => None,
    };
    if let Some(dir) = get_str(config, "source_dir") {
        let p = PathBuf::from(&dir);
        match std::fs::metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "error archiving directory: could not archive missing directory: {dir}"
                ))
            }
            Err(e) => return Err(format!("error archiving directory: {e}")),
            Ok(m) if !m.is_dir() => {
                return Err(format!(
                    "error archiving directory: could not archive directory that is a file: {dir}"
                ))
            }
            Ok(_) => {}
        }
        let ex: Vec<String> = get(config, "excludes")
            .as_seq()
            .map(|s| {
                s.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let opts = DirOpts {
            excludes: ex
                .iter()
                .filter(|e| !e.is_empty())
                .filter_map(|e| glob::Pattern::new(e).ok())
                .collect(),
            exclude_literal: ex.into_iter().filter(|e| !e.is_empty()).collect(),
            exclude_symlink_dirs: get_bool(config, "exclude_symlink_directories").unwrap_or(false),
            mode,
        };
        let mut out = vec![];
        walk(&p, "", &opts, &mut out).map_err(|e| format!("error archiving directory: {e}"))?;
        if out.is_empty() {
            return Err(
                "error archiving directory: archive has not been created as it would be empty"
                    .into(),
            );
        }
        return Ok(out);
    }
    if let Some(file) = get_str(config, "source_file") {
        let meta = std::fs::metadata(&file).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("error archiving file: could not archive missing file: {file}")
            } else {
                format!("error archiving file: {e}")
            }
        })?;
        let data = std::fs::read(&file).map_err(|e| format!("error archiving file: {e}"))?;
        let name = Path::new(&file)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        return Ok(vec![Entry {
            name,
            data,
            unix_mode: Some(mode.unwrap_or_else(|| unix_file_mode(meta.permissions().mode()))),
        }]);
    }
    if let Some(name) = get_str(config, "source_content_filename") {
        return Ok(vec![Entry {
            name,
            data: get_str(config, "source_content")
                .unwrap_or_default()
                .into_bytes(),
            unix_mode: None,
        }]);
    }
    // `source` blocks: by file name, a later duplicate name wins.
    let mut files = BTreeMap::new();
    for s in get(config, "source").as_seq().unwrap_or(&[]) {
        if let Some(f) = get_str(s, "filename") {
            files.insert(f, get_str(s, "content").unwrap_or_default());
        }
    }
    Ok(files
        .into_iter()
        .map(|(name, c)| Entry {
            name,
            data: c.into_bytes(),
            unix_mode: None,
        })
        .collect())
}

#[async_trait]
impl DataSource for ArchiveFile {
    fn type_name(&self) -> &'static str {
        "archive_file"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let set = |k: &str| !get(config, k).is_null();
        let has_source = get(config, "source").length().unwrap_or(0) > 0;
        if !(has_source
            || set("source_content_filename")
            || set("source_file")
            || set("source_dir"))
        {
            return Err(("Invalid Attribute Combination".into(), "At least one attribute out of [source,source_content_filename,source_file,source_dir] must be specified".into()));
        }
        let conflicts: [(&str, &[&str]); 3] = [
            (
                "source_file",
                &["source_dir", "source_content", "source_content_filename"],
            ),
            (
                "source_dir",
                &["source_file", "source_content", "source_content_filename"],
            ),
            (
                "excludes",
                &["source_file", "source_content", "source_content_filename"],
            ),
        ];
        for (a, others) in conflicts {
            if set(a) {
                if let Some(b) = others.iter().find(|b| set(b)) {
                    return Err((
                        "Invalid Attribute Combination".into(),
                        format!("Attribute {b:?} cannot be specified when {a:?} is specified"),
                    ));
                }
            }
        }
        if has_source {
            for k in [
                "source_file",
                "source_dir",
                "source_content",
                "source_content_filename",
            ] {
                if set(k) {
                    return Err((
                        "Invalid Attribute Combination".into(),
                        format!("Attribute {k:?} cannot be specified when \"source\" is specified"),
                    ));
                }
            }
        }
        Ok(())
    }
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let ty = get_str(config, "type").unwrap_or_default();
        if ty != "zip" {
            return Err(ProviderError::new(format!(
                "error creating archive: archive type not supported: {ty} (herd writes \"zip\" archives only)"
            )));
        }
        let output = get_str(config, "output_path").unwrap_or_default();
        if let Some(d) = Path::new(&output)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            if std::fs::metadata(d).is_err() {
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o755)
                    .create(d)
                    .map_err(|e| ProviderError::new(format!("error creating output path: {e}")))?;
            }
        }
        let err = |e: String| ProviderError::new(format!("error creating archive: {e}"));
        let zip = write_zip(&entries(config).map_err(err)?).map_err(|e| err(e.to_string()))?;
        std::fs::write(&output, &zip).map_err(|e| err(e.to_string()))?;
        // The checksums are of the file as written (re-read, as the provider).
        let data = std::fs::read(&output)
            .map_err(|e| ProviderError::new(format!("error reading output: {e}")))?;
        let s256 = sha256(&data);
        let s512 = sha512(&data);
        let mut v = with(config, "output_size", Value::int(data.len() as i64));
        for (k, x) in [
            ("output_md5", hex(&md5(&data))),
            ("output_sha", hex(&sha1(&data))),
            ("output_sha256", hex(&s256)),
            ("output_base64sha256", b64(&s256)),
            ("output_sha512", hex(&s512)),
            ("output_base64sha512", b64(&s512)),
            ("id", hex(&sha1(&data))),
        ] {
            v = with(&v, k, Value::string(x));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_uint_bases() {
        assert_eq!(parse_go_uint("0666"), Some(0o666));
        assert_eq!(parse_go_uint("0o644"), Some(0o644));
        assert_eq!(parse_go_uint("420"), Some(420));
        assert_eq!(parse_go_uint("0x1ff"), Some(0o777));
        assert_eq!(parse_go_uint("abc"), None);
        assert_eq!(output_mode(0o666), 0o100666);
    }

    /// The provider's acceptance tests (internal/provider/
    /// data_source_archive_file_test.go, TestDataSource_UpgradeFromVersion2_2_0_*)
    /// pin the MD5 of three archives; herd's bytes must give the same.
    #[test]
    fn bytes_match_the_providers_acceptance_checksums() {
        let md5_of = |entries: Vec<Entry>| hex(&md5(&write_zip(&entries).unwrap()));
        // ContentConfig: source_content + source_content_filename.
        assert_eq!(
            md5_of(vec![Entry {
                name: "content.txt".into(),
                data: b"This is some content".to_vec(),
                unix_mode: None,
            }]),
            "ea35f0444ea9a3d5641d8760bc2815cc"
        );
        // FileConfig: test-fixtures/test-dir/test-file.txt, output_file_mode 0666.
        assert_eq!(
            md5_of(vec![Entry {
                name: "test-file.txt".into(),
                data: b"This is test content".to_vec(),
                unix_mode: Some(output_mode(0o666)),
            }]),
            "59fbc9e62af3cbc2f588f97498240dae"
        );
        // DirConfig: test-fixtures/test-dir/test-dir1, output_file_mode 0666.
        let files = (1..=3)
            .map(|i| Entry {
                name: format!("file{i}.txt"),
                data: format!("This is file {i}").into_bytes(),
                unix_mode: Some(output_mode(0o666)),
            })
            .collect();
        assert_eq!(md5_of(files), "b73f64a383716070aa4a29563b8b14d4");
    }
}

//! Built-in functions: filesystem (`abspath`, `basename`, `dirname`,
//! `pathexpand`, `file`, `filebase64`, `fileexists`, `fileset`). Relative
//! paths resolve against [`FnCtx::base_dir`]; path manipulation follows Go's
//! `path/filepath` (Unix flavour).

use std::path::{Path, PathBuf};

use super::encoding::b64;
use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    let p = || vec![Param::new("path", Type::String)];
    r.add(Func::new("abspath", p(), Type::String, abspath));
    r.add(Func::new("basename", p(), Type::String, |_, a| {
        Ok(Value::string(go_base(str_arg(&a, 0))))
    }));
    r.add(Func::new("dirname", p(), Type::String, |_, a| {
        Ok(Value::string(go_dir(str_arg(&a, 0))))
    }));
    r.add(Func::new("pathexpand", p(), Type::String, |_, a| {
        expand_home(str_arg(&a, 0)).map(Value::string)
    }));
    r.add(Func::new("file", p(), Type::String, file));
    r.add(Func::new("filebase64", p(), Type::String, filebase64));
    r.add(Func::new("fileexists", p(), Type::Bool, fileexists));
    r.add(Func::new(
        "fileset",
        vec![
            Param::new("path", Type::String),
            Param::new("pattern", Type::String),
        ],
        Type::set(Type::String),
        fileset,
    ));
}

fn str_arg(a: &[Value], i: usize) -> &str {
    a[i].as_str().unwrap_or_default()
}

/// Go's `filepath.Clean` for Unix paths.
pub(crate) fn go_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = vec![];
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`.
fn go_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's `filepath.Dir`.
fn go_dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    go_clean(&p[..i])
}

/// go-homedir's `Expand`.
pub(crate) fn expand_home(p: &str) -> Result<String, FnError> {
    if !p.starts_with('~') {
        return Ok(p.to_string());
    }
    if p.len() > 1 && !p[1..].starts_with('/') && !p[1..].starts_with('\\') {
        return Err(FnError::msg("cannot expand user-specific home dir"));
    }
    let home = std::env::var("HOME")
        .map_err(|_| FnError::msg("failed to expand ~: $HOME is not defined"))?;
    Ok(format!("{home}{}", &p[1..]))
}

fn base_abs(ctx: &FnCtx) -> PathBuf {
    if ctx.base_dir.is_absolute() {
        ctx.base_dir.clone()
    } else {
        std::env::current_dir()
            .unwrap_or_default()
            .join(&ctx.base_dir)
    }
}

/// Resolve a path argument the way Terraform's file functions do.
pub(crate) fn resolve(ctx: &FnCtx, p: &str) -> Result<PathBuf, FnError> {
    let p = expand_home(p).map_err(|e| FnError::arg(0, format!("failed to expand ~: {e}")))?;
    let full = if Path::new(&p).is_absolute() {
        p
    } else {
        format!("{}/{}", ctx.base_dir.to_string_lossy(), p)
    };
    Ok(PathBuf::from(go_clean(&full)))
}

/// Read a file for `file()` and the file hash functions.
pub(crate) fn read_file_bytes(ctx: &FnCtx, p: &str) -> Result<Vec<u8>, FnError> {
    let full = resolve(ctx, p)?;
    std::fs::read(&full).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            FnError::arg(
                0,
                format!(
                    "no file exists at {p}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
                ),
            )
        } else {
            FnError::arg(0, format!("failed to read file: {e}"))
        }
    })
}

fn abspath(ctx: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let p = str_arg(&a, 0);
    let full = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{}/{}", base_abs(ctx).to_string_lossy(), p)
    };
    Ok(Value::string(go_clean(&full)))
}

fn file(ctx: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let p = str_arg(&a, 0);
    let bytes = read_file_bytes(ctx, p)?;
    String::from_utf8(bytes).map(Value::string).map_err(|_| {
        FnError::msg(format!(
            "contents of {p} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
        ))
    })
}

fn filebase64(ctx: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(b64(&read_file_bytes(ctx, str_arg(&a, 0))?)))
}

fn fileexists(ctx: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let full = resolve(ctx, str_arg(&a, 0))?;
    let shown = full.to_string_lossy().to_string();
    match std::fs::metadata(&full) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::bool(false)),
        Err(e) if e.raw_os_error() == Some(20) => Ok(Value::bool(false)), // ENOTDIR
        Err(_) => Err(FnError::msg(format!("failed to stat {shown}"))),
        Ok(m) if m.is_file() => Ok(Value::bool(true)),
        Ok(m) if m.is_dir() => Err(FnError::arg(
            0,
            format!("{shown} is a directory, not a file"),
        )),
        Ok(_) => Err(FnError::arg(0, format!("{shown} is not a regular file"))),
    }
}

// ---- fileset: doublestar glob semantics ----

fn expand_braces(p: &str) -> Vec<String> {
    let b: Vec<char> = p.chars().collect();
    let mut depth = 0;
    let mut start = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '\\' => i += 1,
            '{' => {
                if depth == 0 {
                    start = Some(i);
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let s = start.unwrap();
                    let pre: String = b[..s].iter().collect();
                    let post: String = b[i + 1..].iter().collect();
                    // Split the inside on top-level commas.
                    let mut alts = vec![];
                    let mut cur = String::new();
                    let mut d = 0;
                    let mut j = s + 1;
                    while j < i {
                        let c = b[j];
                        match c {
                            '\\' if j + 1 < i => {
                                cur.push(c);
                                cur.push(b[j + 1]);
                                j += 2;
                                continue;
                            }
                            '{' => d += 1,
                            '}' => d -= 1,
                            ',' if d == 0 => {
                                alts.push(std::mem::take(&mut cur));
                                j += 1;
                                continue;
                            }
                            _ => {}
                        }
                        cur.push(c);
                        j += 1;
                    }
                    alts.push(cur);
                    let mut out = vec![];
                    for a in alts {
                        out.extend(expand_braces(&format!("{pre}{a}{post}")));
                    }
                    return out;
                }
            }
            _ => {}
        }
        i += 1;
    }
    vec![p.to_string()]
}

fn class_match(p: &[char], c: char) -> Option<(bool, usize)> {
    // p starts after '['; returns (matched, length consumed incl. ']').
    let mut i = 0;
    let negate = matches!(p.first(), Some('^') | Some('!'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        let mut lo = p[i];
        if lo == '\\' && i + 1 < p.len() {
            i += 1;
            lo = p[i];
        }
        let mut hi = lo;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            hi = p[i + 2];
            if hi == '\\' && i + 3 < p.len() {
                hi = p[i + 3];
                i += 1;
            }
            i += 2;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
        i += 1;
    }
    None
}

fn glob_match(p: &[char], n: &[char]) -> bool {
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => (0..=n.len()).any(|k| glob_match(&p[1..], &n[k..])),
        '?' => !n.is_empty() && glob_match(&p[1..], &n[1..]),
        '[' => {
            if n.is_empty() {
                return false;
            }
            match class_match(&p[1..], n[0]) {
                Some((true, used)) => glob_match(&p[1 + used..], &n[1..]),
                _ => false,
            }
        }
        '\\' if p.len() > 1 => !n.is_empty() && n[0] == p[1] && glob_match(&p[2..], &n[1..]),
        c => !n.is_empty() && n[0] == c && glob_match(&p[1..], &n[1..]),
    }
}

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

fn walk(dir: &Path, rel: &str, comps: &[String], out: &mut Vec<String>) {
    let join = |name: &str| {
        if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        }
    };
    let Some((first, rest)) = comps.split_first() else {
        if dir.is_file() {
            out.push(rel.to_string());
        }
        return;
    };
    if first == "**" {
        // Zero segments, or one more segment with `**` still pending.
        walk(dir, rel, rest, out);
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                walk(&e.path(), &join(&name), comps, out);
            }
        }
        return;
    }
    if !has_meta(first) {
        let path = dir.join(first);
        if path.exists() {
            walk(&path, &join(first), rest, out);
        }
        return;
    }
    let pat: Vec<char> = first.chars().collect();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let chars: Vec<char> = name.chars().collect();
            if glob_match(&pat, &chars) {
                walk(&e.path(), &join(&name), rest, out);
            }
        }
    }
}

fn fileset(ctx: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let p = str_arg(&a, 0);
    let base = if p.starts_with('/') {
        go_clean(p)
    } else {
        go_clean(&format!("{}/{}", ctx.base_dir.to_string_lossy(), p))
    };
    let mut results = vec![];
    for pattern in expand_braces(str_arg(&a, 1)) {
        let cleaned = go_clean(&format!("{base}/{pattern}"));
        // The pattern part relative to the base directory.
        let rel = if base == "." {
            cleaned.clone()
        } else if let Some(r) = cleaned.strip_prefix(&format!("{}/", base.trim_end_matches('/'))) {
            r.to_string()
        } else if cleaned == base {
            String::new()
        } else {
            // The pattern escapes the base directory: match from the root and
            // express results relative to base.
            continue;
        };
        if rel.is_empty() {
            continue;
        }
        let comps: Vec<String> = rel.split('/').map(|s| s.to_string()).collect();
        let mut found = vec![];
        walk(Path::new(&base), "", &comps, &mut found);
        results.extend(found);
    }
    let vals: Vec<Value> = results.into_iter().map(Value::string).collect();
    Ok(Value::set(Type::String, vals))
}

#[cfg(test)]
mod tests {
    use super::{go_base, go_clean, go_dir};
    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::to_json_string;
    use crate::lang::value::Value;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    fn setup() -> (tempfile::TempDir, FnCtx) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("files/sub/deep")).unwrap();
        std::fs::write(d.join("files/data.txt"), "alpha\nbeta\n").unwrap();
        std::fs::write(d.join("files/t.tpl"), "x=${x}\n").unwrap();
        std::fs::write(d.join("files/d.json"), "{}").unwrap();
        std::fs::write(d.join("files/sub/a.txt"), "a").unwrap();
        std::fs::write(d.join("files/sub/deep/b.txt"), "b").unwrap();
        std::fs::write(d.join("files/bin"), [0u8, 1, 2, 0xff, 0xfe]).unwrap();
        let ctx = FnCtx {
            base_dir: d.to_path_buf(),
            ..FnCtx::default()
        };
        (dir, ctx)
    }

    #[test]
    fn path_manipulation() {
        assert_eq!(go_base("dir/file.ext"), "file.ext");
        assert_eq!(go_base("a/b/"), "b");
        assert_eq!(go_base(""), ".");
        assert_eq!(go_base("///"), "/");
        assert_eq!(go_dir("dir/sub/file.ext"), "dir/sub");
        assert_eq!(go_dir("a"), ".");
        assert_eq!(go_dir("/x"), "/");
        assert_eq!(go_dir("a/b/"), "a/b");
        assert_eq!(go_clean("a/../../b/./c//"), "../b/c");
        let ctx = FnCtx::default();
        let r = call(&ctx, "basename", vec![s("files/hello.txt")]).unwrap();
        assert_eq!(r.as_str(), Some("hello.txt"));
        let r = call(&ctx, "dirname", vec![s("files/sub/hello.txt")]).unwrap();
        assert_eq!(r.as_str(), Some("files/sub"));
        let r = call(&ctx, "abspath", vec![s("x/../y")]).unwrap();
        assert!(r.as_str().unwrap().starts_with('/') && r.as_str().unwrap().ends_with("/y"));
        assert_eq!(
            call(&ctx, "abspath", vec![s("/a/b/../c")])
                .unwrap()
                .as_str(),
            Some("/a/c")
        );
        let home = std::env::var("HOME").unwrap();
        let r = call(&ctx, "pathexpand", vec![s("~/x")]).unwrap();
        assert_eq!(r.as_str().unwrap(), format!("{home}/x"));
        assert_eq!(
            call(&ctx, "pathexpand", vec![s("/etc")]).unwrap().as_str(),
            Some("/etc")
        );
        assert!(call(&ctx, "pathexpand", vec![s("~bob/x")]).is_err());
    }

    #[test]
    fn file_reading() {
        let (_d, ctx) = setup();
        let f = |n: &str, p: &str| call(&ctx, n, vec![s(p)]);
        assert_eq!(
            f("file", "files/data.txt").unwrap().as_str(),
            Some("alpha\nbeta\n")
        );
        assert_eq!(
            f("file", "./files/../files/data.txt").unwrap().as_str(),
            Some("alpha\nbeta\n")
        );
        assert_eq!(
            f("filebase64", "files/data.txt").unwrap().as_str(),
            Some("YWxwaGEKYmV0YQo=")
        );
        assert_eq!(
            f("filebase64", "files/bin").unwrap().as_str(),
            Some("AAEC//4=")
        );
        assert!(f("file", "files/bin")
            .unwrap_err()
            .to_string()
            .contains("not valid UTF-8"));
        assert!(matches!(
            f("file", "files/missing"),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert_eq!(
            f("fileexists", "files/data.txt").unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            f("fileexists", "files/missing").unwrap().as_bool(),
            Some(false)
        );
        assert!(f("fileexists", "files/sub").is_err());
        let r = call(&ctx, "file", vec![s("files/data.txt").mark(true)]).unwrap();
        assert!(r.sensitive);
    }

    #[test]
    fn fileset_globs() {
        let (_d, ctx) = setup();
        let fs = |p: &str, pat: &str| {
            to_json_string(&call(&ctx, "fileset", vec![s(p), s(pat)]).unwrap())
        };
        assert_eq!(fs("files", "*.t*"), r#"["data.txt","t.tpl"]"#);
        assert_eq!(fs("files", "*"), r#"["bin","d.json","data.txt","t.tpl"]"#);
        assert_eq!(
            fs("files", "**/*.txt"),
            r#"["data.txt","sub/a.txt","sub/deep/b.txt"]"#
        );
        assert_eq!(fs("files", "sub/**"), r#"["sub/a.txt","sub/deep/b.txt"]"#);
        assert_eq!(
            fs("files", "{sub/a,data}.txt"),
            r#"["data.txt","sub/a.txt"]"#
        );
        assert_eq!(fs("files", "?.json"), r#"["d.json"]"#);
        assert_eq!(fs("files", "[a-d]*.txt"), r#"["data.txt"]"#);
        assert_eq!(fs(".", "files/*.json"), r#"["files/d.json"]"#);
        assert_eq!(fs("files", "nothing*"), "[]");
        assert_eq!(fs("files", "sub"), "[]");
    }
}

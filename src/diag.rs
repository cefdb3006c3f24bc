//! Diagnostics: errors and warnings with source ranges, rendered the way
//! Terraform renders them (summary, `on FILE line N, in BLOCK:`, the source
//! line with the expression underlined, then the detail).
//!
//! Stages return diagnostics beside their results so that one run reports
//! every independent problem.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: byte range plus the file it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRange {
    /// Path as shown to the user (relative to the working directory).
    pub file: Arc<str>,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub range: Option<SourceRange>,
    /// The enclosing block, e.g. `locals` or `output "name"`.
    pub context: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            range: None,
            context: None,
        }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }
    pub fn at(mut self, range: Option<SourceRange>) -> Diagnostic {
        if self.range.is_none() {
            self.range = range;
        }
        self
    }
    pub fn in_context(mut self, ctx: Option<String>) -> Diagnostic {
        if self.context.is_none() {
            self.context = ctx;
        }
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A list of diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(vec![])
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, o: Diagnostics) {
        self.0.extend(o.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.is_error())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The text of every loaded source file, for rendering snippets.
#[derive(Default, Clone)]
pub struct Sources {
    files: Arc<RwLock<HashMap<Arc<str>, Arc<str>>>>,
}

impl Sources {
    pub fn add(&self, name: &str, text: &str) -> Arc<str> {
        let key: Arc<str> = Arc::from(name);
        self.files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), Arc::from(text));
        key
    }
    pub fn get(&self, name: &str) -> Option<Arc<str>> {
        self.files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }
}

/// Display name of a file relative to `base`.
pub fn display_path(base: &Path, p: &Path) -> String {
    let rel: PathBuf = p
        .strip_prefix(base)
        .map(|r| r.to_path_buf())
        .unwrap_or_else(|_| p.to_path_buf());
    rel.to_string_lossy().into_owned()
}

/// Line (1-based), column (1-based, in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut off = offset;
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..off].chars().count() + 1;
    (line, col)
}

/// Render diagnostics like Terraform does (boxed, without colour).
pub fn render(diags: &Diagnostics, sources: &Sources, color: bool) -> String {
    let mut out = String::new();
    for d in &diags.0 {
        render_one(d, sources, color, &mut out);
    }
    out
}

fn render_one(d: &Diagnostic, sources: &Sources, color: bool, out: &mut String) {
    let (bar_color, reset, bold) = if color {
        (
            if d.is_error() { "\x1b[31m" } else { "\x1b[33m" },
            "\x1b[0m",
            "\x1b[1m",
        )
    } else {
        ("", "", "")
    };
    let mut lines: Vec<String> = vec![];
    let label = if d.is_error() { "Error" } else { "Warning" };
    lines.push(format!("{bold}{label}: {}{reset}", d.summary));
    if let Some(r) = &d.range {
        lines.push(String::new());
        if let Some(text) = sources.get(&r.file) {
            let (line, _col) = line_col(&text, r.start);
            let ctx = d
                .context
                .as_ref()
                .map(|c| format!(", in {c}"))
                .unwrap_or_default();
            lines.push(format!("  on {} line {}{}:", r.file, line, ctx));
            let line_start = text[..r.start.min(text.len())]
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            let line_end = text[line_start..]
                .find('\n')
                .map(|i| i + line_start)
                .unwrap_or(text.len());
            let src_line = &text[line_start..line_end];
            let num = format!("{line:>4}");
            lines.push(format!("{num}: {}", src_line.trim_end_matches('\r')));
            // underline the expression on that line
            let s = r.start.clamp(line_start, line_end);
            let e = r.end.clamp(s, line_end);
            let pad = text[line_start..s]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect::<String>();
            let width = text[s..e].chars().count().max(1);
            lines.push(format!(
                "{}  {}{}",
                " ".repeat(num.len()),
                pad,
                "^".repeat(width)
            ));
        } else {
            lines.push(format!("  on {}:", r.file));
        }
    }
    if !d.detail.is_empty() {
        lines.push(String::new());
        for l in d.detail.lines() {
            lines.push(l.to_string());
        }
    }
    let _ = writeln!(out, "{bar_color}╷{reset}");
    for l in lines {
        if l.is_empty() {
            let _ = writeln!(out, "{bar_color}│{reset} ");
        } else {
            let _ = writeln!(out, "{bar_color}│{reset} {l}");
        }
    }
    let _ = writeln!(out, "{bar_color}╵{reset}");
}

/// `file:line:col` of a range, for compact messages.
pub fn short_location(r: &SourceRange, sources: &Sources) -> String {
    match sources.get(&r.file) {
        Some(t) => {
            let (l, c) = line_col(&t, r.start);
            format!("{}:{}:{}", r.file, l, c)
        }
        None => r.file.to_string(),
    }
}

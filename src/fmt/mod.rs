//! `herd fmt`: canonical formatting of Terraform configuration files,
//! byte-for-byte compatible with `terraform fmt` (0.15).
//!
//! The pipeline mirrors Terraform's:
//! 1. syntax check — a file with syntax errors is never formatted;
//! 2. Terraform's own rewrites (`internal/command/fmt.go`): quoted block
//!    labels, legacy `variable` type expressions, unwrapping of
//!    interpolation-only strings;
//! 3. `hclwrite`'s whitespace formatting on the token stream.

mod format;
pub(crate) mod lexer;
mod rewrite;

/// A syntax error that prevents formatting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FmtError {
    #[error("{line}:{col}: {message}")]
    Syntax {
        line: usize,
        col: usize,
        message: String,
    },
}

/// Format one HCL (.tf / .tfvars) source file the way `terraform fmt` does.
pub fn format_source(src: &str) -> Result<String, FmtError> {
    let toks =
        lexer::lex(src).map_err(|(line, col, message)| FmtError::Syntax { line, col, message })?;
    let mut toks = rewrite::rewrite(toks).map_err(|e| FmtError::Syntax {
        line: e.line,
        col: e.col,
        message: e.msg,
    })?;
    // Full expression-level syntax check.
    // The same reading as loading does: integer literals beyond 64 bits and
    // object constructors that repeat a key are valid Terraform.
    if let Err((line, col, message)) = crate::config::check_syntax(src) {
        return Err(FmtError::Syntax { line, col, message });
    }
    Ok(format::format_tokens(&mut toks))
}

/// A unified diff between `old` and `new` in the style `terraform fmt -diff`
/// prints (`--- old/PATH` / `+++ new/PATH` headers, 3 lines of context).
/// Returns an empty string when the inputs are equal.
pub fn unified_diff(old: &str, new: &str, path: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("old/{path}"), &format!("new/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic() {
        let out = format_source("a=1\nbbb = 2\n").unwrap();
        assert_eq!(out, "a   = 1\nbbb = 2\n");
    }

    #[test]
    fn syntax_error() {
        assert!(format_source("a = \n").is_err());
        assert!(format_source("resource \"x\" {\n").is_err());
    }

    #[test]
    fn diff() {
        let d = unified_diff("a=1\n", "a = 1\n", "main.tf");
        assert!(d.starts_with("--- old/main.tf\n+++ new/main.tf\n"));
        assert!(d.contains("-a=1\n+a = 1\n"));
        assert_eq!(unified_diff("x", "x", "p"), "");
    }
}

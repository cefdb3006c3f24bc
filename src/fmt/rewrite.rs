//! A structural pass over the token stream that recognises body items
//! (attributes and blocks), checks the body-level syntax, and applies the
//! rewrites that `terraform fmt` performs on top of `hclwrite` formatting:
//!
//! * block labels are re-emitted in quoted form (comments between the block
//!   type and the labels, or between labels, are dropped);
//! * `type` arguments in top-level `variable` blocks have legacy quoted
//!   types and bare collection keywords normalised;
//! * interpolation-only strings (`"${foo}"`) are unwrapped.

use super::lexer::{Token, TT};
use std::collections::HashSet;

pub struct SyntaxErr {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

fn err(t: &Token, msg: &str) -> SyntaxErr {
    SyntaxErr {
        line: t.line,
        col: t.col,
        msg: msg.to_string(),
    }
}

/// A replacement of the token range `start..end` by `with`.
struct Edit {
    start: usize,
    end: usize,
    with: Vec<Token>,
}

struct Parser<'a> {
    toks: &'a [Token],
    p: usize,
    edits: Vec<Edit>,
}

fn opens(t: TT) -> bool {
    matches!(
        t,
        TT::OBrace
            | TT::OBrack
            | TT::OParen
            | TT::TemplateInterp
            | TT::TemplateControl
            | TT::OQuote
            | TT::OHeredoc
    )
}

fn closes(t: TT) -> bool {
    matches!(
        t,
        TT::CBrace | TT::CBrack | TT::CParen | TT::TemplateSeqEnd | TT::CQuote | TT::CHeredoc
    )
}

fn closer_for(open: TT) -> TT {
    match open {
        TT::OBrace => TT::CBrace,
        TT::OBrack => TT::CBrack,
        TT::OParen => TT::CParen,
        TT::TemplateInterp | TT::TemplateControl => TT::TemplateSeqEnd,
        TT::OQuote => TT::CQuote,
        TT::OHeredoc => TT::CHeredoc,
        _ => unreachable!(),
    }
}

fn is_inline_comment(t: &Token) -> bool {
    t.ty == TT::Comment && !t.text.ends_with('\n')
}

fn is_line_end(t: &Token) -> bool {
    t.ty == TT::Newline || (t.ty == TT::Comment && t.text.ends_with('\n'))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &'a Token {
        &self.toks[self.p]
    }

    /// Skip inline (`/* */`) comments.
    fn skip_inline_comments(&mut self) {
        while is_inline_comment(self.peek()) {
            self.p += 1;
        }
    }

    fn parse_body(&mut self, path: &mut Vec<String>, in_block: bool) -> Result<(), SyntaxErr> {
        let mut attr_names: HashSet<String> = HashSet::new();
        loop {
            let t = self.peek();
            match t.ty {
                TT::Newline | TT::Comment => {
                    self.p += 1;
                    continue;
                }
                TT::Eof => {
                    if in_block {
                        return Err(err(t, "Unclosed configuration block"));
                    }
                    return Ok(());
                }
                TT::CBrace if in_block => return Ok(()),
                TT::Ident => {}
                _ => {
                    return Err(err(
                        t,
                        "Argument or block definition required: An argument or block definition is required here.",
                    ))
                }
            }
            let name_idx = self.p;
            self.p += 1;
            self.skip_inline_comments();
            let t = self.peek();
            match t.ty {
                TT::Equal => {
                    let name = &self.toks[name_idx].text;
                    if !attr_names.insert(name.clone()) {
                        return Err(err(
                            &self.toks[name_idx],
                            &format!("Attribute redefined: The argument {name:?} was already set."),
                        ));
                    }
                    self.p += 1;
                    self.parse_attr_expr(path, name_idx, false)?;
                    self.expect_line_end()?;
                }
                TT::OBrace | TT::OQuote | TT::Ident => {
                    self.parse_block(path, name_idx)?;
                }
                _ => {
                    return Err(err(
                        t,
                        "Argument or block definition required: An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
                    ))
                }
            }
        }
    }

    fn expect_line_end(&mut self) -> Result<(), SyntaxErr> {
        self.skip_inline_comments();
        let t = self.peek();
        if is_line_end(t) {
            self.p += 1;
            Ok(())
        } else if t.ty == TT::Eof {
            Ok(())
        } else {
            Err(err(
                t,
                "Missing newline after argument: An argument definition must end with a newline.",
            ))
        }
    }

    /// Parse an attribute's expression, starting just after `=`. Stops at
    /// the line end (not consumed), or at `}` when `single_line` is set.
    fn parse_attr_expr(
        &mut self,
        path: &[String],
        name_idx: usize,
        single_line: bool,
    ) -> Result<(), SyntaxErr> {
        let start = self.p;
        let mut stack: Vec<TT> = Vec::new();
        loop {
            let t = self.peek();
            if t.ty == TT::Eof {
                if let Some(_open) = stack.last() {
                    return Err(err(t, "Unexpected end of file: unclosed bracket"));
                }
                break;
            }
            if stack.is_empty() {
                if is_line_end(t) {
                    break;
                }
                if single_line && t.ty == TT::CBrace {
                    break;
                }
            }
            if matches!(t.ty, TT::Invalid | TT::QuotedNewline) {
                return Err(err(t, "Invalid character"));
            }
            if t.ty == TT::NumberLit
                && self.p > start
                && self.toks[self.p - 1].ty == TT::Dot
                && !t.text.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(err(
                    t,
                    "Invalid attribute name: An attribute name is required after a dot.",
                ));
            }
            if opens(t.ty) {
                stack.push(closer_for(t.ty));
            } else if closes(t.ty) {
                match stack.pop() {
                    Some(c) if c == t.ty => {}
                    _ => return Err(err(t, "Unbalanced bracket")),
                }
            }
            self.p += 1;
        }
        let mut s = start;
        let mut e = self.p;
        while s < e && self.toks[s].ty == TT::Comment {
            s += 1;
        }
        while e > s && self.toks[e - 1].ty == TT::Comment {
            e -= 1;
        }
        if s == e {
            let t = &self.toks[self.p];
            return Err(err(
                t,
                "Invalid expression: Expected the start of an expression, but found an invalid expression token.",
            ));
        }
        let expr = &self.toks[s..e];
        let name = &self.toks[name_idx].text;
        let replaced = if path.len() == 1 && path[0] == "variable" && name == "type" {
            format_type_expr(expr)
        } else {
            format_value_expr(expr)
        };
        if let Some(with) = replaced {
            self.edits.push(Edit {
                start: s,
                end: e,
                with,
            });
        }
        Ok(())
    }

    fn parse_block(&mut self, path: &mut Vec<String>, type_idx: usize) -> Result<(), SyntaxErr> {
        // labels
        let mut labels: Vec<Option<String>> = Vec::new();
        let mut last_label_end = None;
        loop {
            self.skip_inline_comments();
            let t = self.peek();
            match t.ty {
                TT::Ident => {
                    labels.push(Some(t.text.clone()));
                    self.p += 1;
                    last_label_end = Some(self.p);
                }
                TT::OQuote => {
                    let qs = self.p;
                    self.p += 1;
                    while self.peek().ty == TT::QuotedLit {
                        self.p += 1;
                    }
                    let t = self.peek();
                    if t.ty != TT::CQuote {
                        return Err(err(
                            t,
                            "Invalid block label: template sequences are not allowed in block labels",
                        ));
                    }
                    self.p += 1;
                    let inner = &self.toks[qs + 1..self.p - 1];
                    labels.push(match inner.len() {
                        0 => Some(String::new()),
                        1 => Some(unescape_literal(&inner[0].text).ok_or_else(|| {
                            err(&inner[0], "Invalid escape sequence in block label")
                        })?),
                        _ => None,
                    });
                    last_label_end = Some(self.p);
                }
                TT::OBrace => break,
                _ => {
                    return Err(err(
                        t,
                        "Invalid block definition: Either a quoted string block label or an opening brace (\"{\") is expected here.",
                    ))
                }
            }
        }
        if let Some(lend) = last_label_end {
            let mut with = Vec::new();
            for l in labels.iter().flatten() {
                with.push(Token::new(TT::OQuote, "\""));
                let esc = escape_quoted_string_lit(l);
                if !esc.is_empty() {
                    with.push(Token::new(TT::QuotedLit, &esc));
                }
                with.push(Token::new(TT::CQuote, "\""));
            }
            self.edits.push(Edit {
                start: type_idx + 1,
                end: lend,
                with,
            });
        }
        // open brace
        self.p += 1;
        path.push(self.toks[type_idx].text.clone());
        self.skip_inline_comments();
        let t = self.peek();
        if is_line_end(t) {
            self.p += 1;
            self.parse_body(path, true)?;
        } else if t.ty == TT::CBrace {
            // empty single-line block
        } else if t.ty == TT::Ident {
            // single-line block with one argument
            let name_idx = self.p;
            self.p += 1;
            self.skip_inline_comments();
            if self.peek().ty != TT::Equal {
                return Err(err(
                    self.peek(),
                    "Invalid single-argument block definition: A single-line block definition can contain only a single argument.",
                ));
            }
            self.p += 1;
            self.parse_attr_expr(path, name_idx, true)?;
            self.skip_inline_comments();
            if self.peek().ty != TT::CBrace {
                return Err(err(
                    self.peek(),
                    "Invalid single-argument block definition: A single-line block definition must end with a closing brace immediately after its single argument definition.",
                ));
            }
        } else {
            return Err(err(t, "Invalid block definition"));
        }
        path.pop();
        // close brace
        let t = self.peek();
        if t.ty != TT::CBrace {
            return Err(err(t, "Unclosed configuration block"));
        }
        self.p += 1;
        self.skip_inline_comments();
        let t = self.peek();
        if is_line_end(t) {
            self.p += 1;
        } else if t.ty != TT::Eof {
            return Err(err(
                t,
                "Missing newline after block definition: A block definition must end with a newline.",
            ));
        }
        Ok(())
    }
}

/// Decode the escapes in a quoted-string literal token; `None` if invalid.
fn unescape_literal(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                u @ ('u' | 'U') => {
                    let n = if u == 'u' { 4 } else { 8 };
                    let mut hex = String::new();
                    for _ in 0..n {
                        hex.push(it.next()?);
                    }
                    let v = u32::from_str_radix(&hex, 16).ok()?;
                    out.push(char::from_u32(v)?);
                }
                _ => return None,
            },
            '$' | '%' => {
                out.push(c);
                // "$${" → "${", "%%{" → "%{"
                let mut look = it.clone();
                if look.next() == Some(c) && look.next() == Some('{') {
                    it.next();
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// Approximation of Go's `unicode.IsPrint`.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !(u == 0xAD
        || (0x600..=0x605).contains(&u)
        || u == 0x61C
        || u == 0x6DD
        || u == 0x70F
        || u == 0x180E
        || (0x200B..=0x200F).contains(&u)
        || (0x2028..=0x202E).contains(&u)
        || (0x2060..=0x206F).contains(&u)
        || u == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&u)
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        || (0xE0000..=0xE007F).contains(&u))
}

/// Mirror of hclwrite's `escapeQuotedStringLit`.
fn escape_quoted_string_lit(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.get(i + 1) == Some(&'{') {
                    out.push(c);
                }
            }
            _ => {
                if is_print(c) {
                    out.push(c);
                } else if (c as u32) < 65536 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
        }
    }
    out
}

fn toks_of(spec: &[(TT, &str)]) -> Vec<Token> {
    spec.iter().map(|(t, s)| Token::new(*t, s)).collect()
}

fn format_type_expr(toks: &[Token]) -> Option<Vec<Token>> {
    match toks.len() {
        1 => {
            let kw = &toks[0];
            if kw.ty != TT::Ident {
                return None;
            }
            match kw.text.as_str() {
                "list" | "map" | "set" => {
                    let mut v = vec![kw.clone()];
                    v.extend(toks_of(&[
                        (TT::OParen, "("),
                        (TT::Ident, "any"),
                        (TT::CParen, ")"),
                    ]));
                    Some(v)
                }
                _ => None,
            }
        }
        3 => {
            if toks[0].ty != TT::OQuote || toks[1].ty != TT::QuotedLit || toks[2].ty != TT::CQuote {
                return None;
            }
            match toks[1].text.as_str() {
                "string" => Some(toks_of(&[(TT::Ident, "string")])),
                k @ ("list" | "map") => Some(toks_of(&[
                    (TT::Ident, k),
                    (TT::OParen, "("),
                    (TT::Ident, "string"),
                    (TT::CParen, ")"),
                ])),
                _ => None,
            }
        }
        _ => None,
    }
}

fn format_value_expr(toks: &[Token]) -> Option<Vec<Token>> {
    let n = toks.len();
    if n < 5 {
        return None;
    }
    if toks[0].ty != TT::OQuote
        || toks[1].ty != TT::TemplateInterp
        || toks[n - 2].ty != TT::TemplateSeqEnd
        || toks[n - 1].ty != TT::CQuote
    {
        return None;
    }
    let inside = &toks[2..n - 2];
    let mut quotes = 0i32;
    for t in inside {
        match t.ty {
            TT::OQuote => {
                quotes += 1;
                continue;
            }
            TT::CQuote => {
                quotes -= 1;
                continue;
            }
            _ => {}
        }
        if quotes > 0 {
            continue;
        }
        if matches!(
            t.ty,
            TT::TemplateInterp | TT::TemplateSeqEnd | TT::QuotedLit
        ) {
            return None;
        }
    }
    let mut s = 0;
    let mut e = inside.len();
    while s < e && inside[s].ty == TT::Newline {
        s += 1;
    }
    while e > s && inside[e - 1].ty == TT::Newline {
        e -= 1;
    }
    let trimmed = &inside[s..e];
    let mut multi = false;
    let mut lead_paren = false;
    let mut trail_paren = false;
    for (i, t) in trimmed.iter().enumerate() {
        if i == 0 && t.ty == TT::OParen {
            lead_paren = true;
        } else if t.ty == TT::Newline {
            multi = true;
        } else if i == trimmed.len() - 1 && t.ty == TT::CParen {
            trail_paren = true;
        }
    }
    let mut out = Vec::new();
    if multi && !(lead_paren && trail_paren) {
        out.push(Token::new(TT::OParen, "("));
        out.extend(trimmed.iter().cloned());
        out.push(Token::new(TT::CParen, ")"));
    } else {
        out.extend(trimmed.iter().cloned());
    }
    Some(out)
}

/// Check the body structure and apply Terraform's rewrites, returning the
/// new token vector.
pub fn rewrite(toks: Vec<Token>) -> Result<Vec<Token>, SyntaxErr> {
    let mut p = Parser {
        toks: &toks,
        p: 0,
        edits: Vec::new(),
    };
    p.parse_body(&mut Vec::new(), false)?;
    let mut edits = std::mem::take(&mut p.edits);
    if edits.is_empty() {
        return Ok(toks);
    }
    edits.sort_by_key(|e| e.start);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    for e in edits {
        out.extend(toks[i..e.start].iter().cloned());
        out.extend(e.with);
        i = e.end;
    }
    out.extend(toks[i..].iter().cloned());
    Ok(out)
}

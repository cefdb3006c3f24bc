//! A tokenizer mirroring the token stream of HCL's native-syntax scanner
//! (`hclsyntax`), which is what `hclwrite` formats.
//!
//! Whitespace (spaces and tabs) between tokens is not a token; instead each
//! token records how many bytes of whitespace preceded it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TT {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    QuotedLit,
    StringLit,
    NumberLit,
    Ident,
    Comment,
    Newline,
    QuotedNewline,
    /// Characters the scanner recognises but the grammar never accepts
    /// (`&`, `|`, `~`, `^`, `;`, backtick, `'`), and anything else unknown.
    Invalid,
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub ty: TT,
    pub text: String,
    pub spaces_before: usize,
    /// 1-based line/column of the token start in the source.
    pub line: usize,
    pub col: usize,
}

impl Token {
    pub fn new(ty: TT, text: &str) -> Token {
        Token {
            ty,
            text: text.to_string(),
            spaces_before: 0,
            line: 0,
            col: 0,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Main,
    Str,
    Heredoc,
}

struct Heredoc {
    marker: String,
    start_of_line: bool,
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    toks: Vec<Token>,
    last_end: usize,
    cur: usize,
    cur_line: usize,
    cur_col: usize,
}

fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_id_continue(c: char) -> bool {
    c == '-' || unicode_ident::is_xid_continue(c)
}

impl<'a> Lexer<'a> {
    fn emit(&mut self, ty: TT, start: usize, end: usize) {
        // advance the position cursor
        for ch in self.src[self.cur..start].chars() {
            if ch == '\n' {
                self.cur_line += 1;
                self.cur_col = 1;
            } else {
                self.cur_col += 1;
            }
        }
        self.cur = start;
        let (line, col) = (self.cur_line, self.cur_col);
        self.toks.push(Token {
            ty,
            text: self.src[start..end].to_string(),
            spaces_before: start - self.last_end,
            line,
            col,
        });
        self.last_end = end;
    }

    fn char_at(&self, p: usize) -> Option<char> {
        self.src[p..].chars().next()
    }

    /// Length of an identifier starting at p (0 if none).
    fn ident_len(&self, p: usize) -> usize {
        let mut it = self.src[p..].char_indices();
        match it.next() {
            Some((_, c)) if is_id_start(c) => {}
            _ => return 0,
        }
        let mut end = self.src[p..].chars().next().unwrap().len_utf8();
        for (i, c) in it {
            if is_id_continue(c) {
                end = i + c.len_utf8();
            } else {
                break;
            }
        }
        end
    }

    fn number_len(&self, p: usize) -> usize {
        let b = self.b;
        let mut q = p + 1;
        // Greedily consume NumberLitContinue, remembering the last end that
        // didn't finish with '.'.
        let mut best = q;
        loop {
            if q < b.len() && b[q].is_ascii_digit() {
                q += 1;
                best = q;
            } else if q < b.len() && b[q] == b'.' {
                q += 1;
            } else if q < b.len() && (b[q] == b'e' || b[q] == b'E') {
                let mut r = q + 1;
                if r < b.len() && (b[r] == b'+' || b[r] == b'-') {
                    r += 1;
                }
                if r < b.len() && b[r].is_ascii_digit() {
                    q = r + 1;
                    best = q;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        best - p
    }
}

fn line_col(src: &str, byte: usize) -> (usize, usize) {
    let before = &src[..byte];
    let line = before.matches('\n').count() + 1;
    let col = match before.rfind('\n') {
        Some(i) => before[i + 1..].chars().count() + 1,
        None => before.chars().count() + 1,
    };
    (line, col)
}

/// Tokenize `src`. The result always ends with an `Eof` token. Returns
/// `Err((line, col, msg))` for input the scanner can't make sense of
/// (unterminated strings/heredocs etc.).
pub fn lex(src: &str) -> Result<Vec<Token>, (usize, usize, String)> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        toks: Vec::new(),
        last_end: 0,
        cur: 0,
        cur_line: 1,
        cur_col: 1,
    };
    let b = src.as_bytes();
    let mut p = 0usize;
    if src.starts_with('\u{feff}') {
        p = 3;
    }
    let mut modes: Vec<Mode> = vec![Mode::Main];
    let mut braces: i64 = 0;
    let mut ret_braces: Vec<i64> = Vec::new();
    let mut heredocs: Vec<Heredoc> = Vec::new();

    while p < b.len() {
        let mode = *modes.last().unwrap();
        match mode {
            Mode::Main => {
                let c = b[p];
                let rest = &src[p..];
                if c == b' ' || c == b'\t' {
                    p += 1;
                    continue;
                }
                if c.is_ascii_digit() {
                    let n = lx.number_len(p);
                    lx.emit(TT::NumberLit, p, p + n);
                    p += n;
                    continue;
                }
                let il = lx.ident_len(p);
                if il > 0 {
                    lx.emit(TT::Ident, p, p + il);
                    p += il;
                    continue;
                }
                if c == b'#' || rest.starts_with("//") {
                    let end = match rest.find('\n') {
                        Some(i) => p + i + 1,
                        None => b.len(),
                    };
                    lx.emit(TT::Comment, p, end);
                    p = end;
                    continue;
                }
                if let Some(body) = rest.strip_prefix("/*") {
                    if let Some(i) = body.find("*/") {
                        let end = p + 2 + i + 2;
                        lx.emit(TT::Comment, p, end);
                        p = end;
                        continue;
                    }
                    let (l, cc) = line_col(src, p);
                    return Err((l, cc, "Unterminated comment".into()));
                }
                if rest.starts_with("\r\n") {
                    lx.emit(TT::Newline, p, p + 2);
                    p += 2;
                    continue;
                }
                if c == b'\n' {
                    lx.emit(TT::Newline, p, p + 1);
                    p += 1;
                    continue;
                }
                // heredoc introducer
                if rest.starts_with("<<") {
                    let mut q = p + 2;
                    if q < b.len() && b[q] == b'-' {
                        q += 1;
                    }
                    let il = if q < b.len() { lx.ident_len(q) } else { 0 };
                    if il > 0 {
                        let mut r = q + il;
                        if src[r..].starts_with("\r\n") {
                            r += 2;
                        } else if src[r..].starts_with('\n') {
                            r += 1;
                        } else {
                            r = 0;
                        }
                        if r > 0 {
                            lx.emit(TT::OHeredoc, p, r);
                            heredocs.push(Heredoc {
                                marker: src[q..q + il].to_string(),
                                start_of_line: true,
                            });
                            modes.push(Mode::Heredoc);
                            p = r;
                            continue;
                        }
                    }
                }
                let two: Option<TT> = match rest.get(..2) {
                    Some("==") => Some(TT::EqualOp),
                    Some("!=") => Some(TT::NotEqual),
                    Some(">=") => Some(TT::GreaterThanEq),
                    Some("<=") => Some(TT::LessThanEq),
                    Some("&&") => Some(TT::And),
                    Some("||") => Some(TT::Or),
                    Some("=>") => Some(TT::FatArrow),
                    _ => None,
                };
                if rest.starts_with("...") {
                    lx.emit(TT::Ellipsis, p, p + 3);
                    p += 3;
                    continue;
                }
                if let Some(t) = two {
                    lx.emit(t, p, p + 2);
                    p += 2;
                    continue;
                }
                if rest.starts_with("~}") {
                    lx.emit(TT::TemplateSeqEnd, p, p + 2);
                    p += 2;
                    braces -= 1;
                    if ret_braces.last() == Some(&(braces + 1)) {
                        ret_braces.pop();
                        modes.pop();
                    }
                    continue;
                }
                let one = match c {
                    b'[' => Some(TT::OBrack),
                    b']' => Some(TT::CBrack),
                    b'(' => Some(TT::OParen),
                    b')' => Some(TT::CParen),
                    b'.' => Some(TT::Dot),
                    b',' => Some(TT::Comma),
                    b'*' => Some(TT::Star),
                    b'/' => Some(TT::Slash),
                    b'%' => Some(TT::Percent),
                    b'+' => Some(TT::Plus),
                    b'-' => Some(TT::Minus),
                    b'=' => Some(TT::Equal),
                    b'<' => Some(TT::LessThan),
                    b'>' => Some(TT::GreaterThan),
                    b'!' => Some(TT::Bang),
                    b'?' => Some(TT::Question),
                    b':' => Some(TT::Colon),
                    _ => None,
                };
                if let Some(t) = one {
                    lx.emit(t, p, p + 1);
                    p += 1;
                    continue;
                }
                match c {
                    b'{' => {
                        lx.emit(TT::OBrace, p, p + 1);
                        braces += 1;
                        p += 1;
                    }
                    b'}' => {
                        if ret_braces.last() == Some(&braces) {
                            lx.emit(TT::TemplateSeqEnd, p, p + 1);
                            ret_braces.pop();
                            modes.pop();
                        } else {
                            lx.emit(TT::CBrace, p, p + 1);
                        }
                        braces -= 1;
                        p += 1;
                    }
                    b'"' => {
                        lx.emit(TT::OQuote, p, p + 1);
                        modes.push(Mode::Str);
                        p += 1;
                    }
                    _ => {
                        let ch = lx.char_at(p).unwrap();
                        let n = ch.len_utf8();
                        lx.emit(TT::Invalid, p, p + n);
                        p += n;
                    }
                }
            }
            Mode::Str => {
                let rest = &src[p..];
                if rest.starts_with("${") || rest.starts_with("%{") {
                    let ty = if b[p] == b'$' {
                        TT::TemplateInterp
                    } else {
                        TT::TemplateControl
                    };
                    let n = if rest[2..].starts_with('~') { 3 } else { 2 };
                    lx.emit(ty, p, p + n);
                    braces += 1;
                    ret_braces.push(braces);
                    if let Some(h) = heredocs.last_mut() {
                        h.start_of_line = false;
                    }
                    modes.push(Mode::Main);
                    p += n;
                    continue;
                }
                let c = b[p];
                if c == b'"' {
                    lx.emit(TT::CQuote, p, p + 1);
                    modes.pop();
                    p += 1;
                    continue;
                }
                if c == b'$' || c == b'%' {
                    // "$${" / "%%{" escapes, or a lone introducer char.
                    let dbl = if c == b'$' { "$${" } else { "%%{" };
                    if rest.starts_with(dbl) {
                        let n = if rest[3..].starts_with('~') { 4 } else { 3 };
                        lx.emit(TT::QuotedLit, p, p + n);
                        p += n;
                    } else {
                        lx.emit(TT::QuotedLit, p, p + 1);
                        p += 1;
                    }
                    continue;
                }
                if c == b'\r' || c == b'\n' {
                    let mut q = p;
                    while q < b.len() && (b[q] == b'\r' || b[q] == b'\n') {
                        q += 1;
                    }
                    lx.emit(TT::QuotedNewline, p, q);
                    p = q;
                    continue;
                }
                // run of literal characters / escapes
                let mut q = p;
                while q < b.len() {
                    let d = b[q];
                    if d == b'\\' {
                        if q + 1 < b.len() && b[q + 1] != b'\n' && b[q + 1] != b'\r' {
                            let ch = src[q + 1..].chars().next().unwrap();
                            q += 1 + ch.len_utf8();
                            continue;
                        }
                        break;
                    }
                    if d == b'$' || d == b'%' || d == b'"' || d == b'\n' || d == b'\r' {
                        break;
                    }
                    q += src[q..].chars().next().unwrap().len_utf8();
                }
                if q == p {
                    let n = lx.char_at(p).unwrap().len_utf8();
                    lx.emit(TT::Invalid, p, p + n);
                    p += n;
                } else {
                    lx.emit(TT::QuotedLit, p, q);
                    p = q;
                }
            }
            Mode::Heredoc => {
                let rest = &src[p..];
                if rest.starts_with("${") || rest.starts_with("%{") {
                    let ty = if b[p] == b'$' {
                        TT::TemplateInterp
                    } else {
                        TT::TemplateControl
                    };
                    let n = if rest[2..].starts_with('~') { 3 } else { 2 };
                    lx.emit(ty, p, p + n);
                    braces += 1;
                    ret_braces.push(braces);
                    if let Some(h) = heredocs.last_mut() {
                        h.start_of_line = false;
                    }
                    modes.push(Mode::Main);
                    p += n;
                    continue;
                }
                // literal up to end of line or next template introducer
                let c = b[p];
                let mut q = p;
                if c == b'$' || c == b'%' {
                    let dbl = if c == b'$' { "$${" } else { "%%{" };
                    if rest.starts_with(dbl) {
                        q += if rest[3..].starts_with('~') { 4 } else { 3 };
                    } else {
                        q += 1;
                    }
                } else {
                    while q < b.len() {
                        let d = b[q];
                        if d == b'$' || d == b'%' || d == b'\n' || d == b'\r' {
                            break;
                        }
                        q += src[q..].chars().next().unwrap().len_utf8();
                    }
                }
                // end of line?
                let eol = if src[q..].starts_with("\r\n") {
                    2
                } else if src[q..].starts_with('\n') {
                    1
                } else {
                    0
                };
                if eol > 0 {
                    let h = heredocs.last_mut().unwrap();
                    if h.start_of_line && src[p..q].trim_matches(is_go_space) == h.marker {
                        lx.emit(TT::CHeredoc, p, q);
                        lx.emit(TT::Newline, q, q + eol);
                        heredocs.pop();
                        modes.pop();
                        p = q + eol;
                        continue;
                    }
                    h.start_of_line = true;
                    lx.emit(TT::StringLit, p, q + eol);
                    p = q + eol;
                    continue;
                }
                if q == p {
                    // lone '\r' not followed by '\n'
                    let n = 1;
                    lx.emit(TT::Invalid, p, p + n);
                    p += n;
                    continue;
                }
                heredocs.last_mut().unwrap().start_of_line = false;
                lx.emit(TT::StringLit, p, q);
                p = q;
            }
        }
    }
    if modes.len() > 1 {
        let (l, c) = line_col(src, b.len());
        let msg = match modes.last().unwrap() {
            Mode::Heredoc => "Unterminated template string: heredoc not closed",
            Mode::Str => "Unterminated template string",
            Mode::Main => "Unclosed template interpolation sequence",
        };
        return Err((l, c, msg.into()));
    }
    lx.emit(TT::Eof, b.len(), b.len());
    Ok(lx.toks)
}

fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

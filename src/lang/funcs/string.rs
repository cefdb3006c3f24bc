//! Built-in functions: string family.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::convert::convert;
use crate::lang::json::{to_json_string, write_json_str};
use crate::lang::number::Number;
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};

pub fn register(r: &mut Registry) {
    let s1 = |name: &'static str, imp: super::Impl| {
        Func::new(
            name,
            vec![Param::new("str", Type::String)],
            Type::String,
            imp,
        )
    };
    let s2 = |name: &'static str, p2: &'static str, ret: Type, imp: super::Impl| {
        Func::new(
            name,
            vec![
                Param::new("str", Type::String),
                Param::new(p2, Type::String),
            ],
            ret,
            imp,
        )
    };
    r.add(s1("upper", upper));
    r.add(s1("lower", lower));
    r.add(s1("title", title));
    r.add(s1("chomp", chomp));
    r.add(s1("strrev", strrev));
    r.add(s1("trimspace", trimspace));
    r.add(s2("trim", "cutset", Type::String, trim));
    r.add(s2("trimprefix", "prefix", Type::String, trimprefix));
    r.add(s2("trimsuffix", "suffix", Type::String, trimsuffix));
    r.add(s2("endswith", "suffix", Type::Bool, endswith));
    r.add(s2("strcontains", "substr", Type::Bool, strcontains));
    r.add(Func::new(
        "startswith",
        vec![
            Param::new("str", Type::String).allow_unknown(),
            Param::new("prefix", Type::String),
        ],
        Type::Bool,
        startswith,
    ));
    r.add(Func::new(
        "indent",
        vec![
            Param::new("spaces", Type::Number),
            Param::new("str", Type::String),
        ],
        Type::String,
        indent,
    ));
    r.add(
        Func::new(
            "join",
            vec![Param::new("separator", Type::String)],
            Type::String,
            join,
        )
        .variadic(Param::new("lists", Type::list(Type::String))),
    );
    r.add(Func::new(
        "split",
        vec![
            Param::new("separator", Type::String),
            Param::new("str", Type::String),
        ],
        Type::list(Type::String),
        split,
    ));
    r.add(Func::new(
        "substr",
        vec![
            Param::new("str", Type::String),
            Param::new("offset", Type::Number),
            Param::new("length", Type::Number),
        ],
        Type::String,
        substr,
    ));
    r.add(Func::new(
        "replace",
        vec![
            Param::new("str", Type::String),
            Param::new("substr", Type::String),
            Param::new("replace", Type::String),
        ],
        Type::String,
        replace,
    ));
    r.add(Func::new(
        "regex",
        vec![
            Param::new("pattern", Type::String),
            Param::new("string", Type::String).allow_unknown(),
        ],
        Type::Dynamic,
        regex_fn,
    ));
    r.add(Func::new(
        "regexall",
        vec![
            Param::new("pattern", Type::String),
            Param::new("string", Type::String).allow_unknown(),
        ],
        Type::list(Type::Dynamic),
        regexall,
    ));
    let fmt_args = Param::new("args", Type::Dynamic)
        .allow_null()
        .allow_unknown();
    r.add(
        Func::new(
            "format",
            vec![Param::new("format", Type::String)],
            Type::String,
            format,
        )
        .variadic(fmt_args.clone()),
    );
    r.add(
        Func::new(
            "formatlist",
            vec![Param::new("format", Type::String)],
            Type::list(Type::String),
            formatlist,
        )
        .variadic(fmt_args),
    );
}

/// A string result, NFC-normalized like every cty string.
fn sv(s: impl AsRef<str>) -> Value {
    Value::string(s.as_ref().nfc().collect::<String>())
}

fn st(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The value of a number argument that must be a whole number fitting an i64.
pub(crate) fn whole(v: &Value) -> Result<i64, String> {
    v.as_number()
        .and_then(|n| if n.is_integer() { n.to_i64() } else { None })
        .ok_or_else(|| {
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
                .to_string()
        })
}

/// Go's `unicode.ToUpper` (simple case mapping only).
fn go_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn go_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => go_upper(c),
    }
}

fn upper(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(sv(st(&a[0]).chars().map(go_upper).collect::<String>()))
}

fn lower(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(sv(st(&a[0]).chars().map(go_lower).collect::<String>()))
}

/// Go's `strings.Title` word separators.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

fn title(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let mut prev = ' ';
    let out: String = st(&a[0])
        .chars()
        .map(|c| {
            let r = if is_separator(prev) { go_title(c) } else { c };
            prev = c;
            r
        })
        .collect();
    Ok(sv(out))
}

fn chomp(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(sv(st(&a[0]).trim_end_matches(['\r', '\n'])))
}

fn strrev(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(sv(st(&a[0]).graphemes(true).rev().collect::<String>()))
}

fn trimspace(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(sv(st(&a[0]).trim_matches(char::is_whitespace)))
}

fn trim(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let cut = st(&a[1]);
    Ok(sv(st(&a[0]).trim_matches(|c| cut.contains(c))))
}

fn trimprefix(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = st(&a[0]);
    Ok(sv(s.strip_prefix(st(&a[1])).unwrap_or(s)))
}

fn trimsuffix(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = st(&a[0]);
    Ok(sv(s.strip_suffix(st(&a[1])).unwrap_or(s)))
}

fn startswith(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let prefix = st(&a[1]);
    if !a[0].is_known() {
        if prefix.is_empty() {
            return Ok(Value::bool(true));
        }
        return Ok(Value::unknown(Type::Bool));
    }
    Ok(Value::bool(st(&a[0]).starts_with(prefix)))
}

fn endswith(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::bool(st(&a[0]).ends_with(st(&a[1]))))
}

fn strcontains(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::bool(st(&a[0]).contains(st(&a[1]))))
}

fn indent(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let n = whole(&a[0]).map_err(FnError::msg)?;
    if n < 0 {
        return Err(FnError::msg(
            "panic in function implementation: strings: negative Repeat count",
        ));
    }
    let lines = st(&a[1]).matches('\n').count() as u64;
    if (n as u64)
        .saturating_mul(lines.max(1))
        .saturating_add(st(&a[1]).len() as u64)
        > super::MAX_STRING_LEN as u64
    {
        return Err(too_long());
    }
    let pad = format!("\n{}", " ".repeat(n as usize));
    Ok(sv(st(&a[1]).replace('\n', &pad)))
}

fn join(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let sep = st(&a[0]);
    let lists = &a[1..];
    if lists.is_empty() {
        return Err(FnError::msg("at least one list is required"));
    }
    let mut items = vec![];
    for (ai, l) in lists.iter().enumerate() {
        for (ei, v) in l.as_seq().unwrap_or_default().iter().enumerate() {
            if v.is_null() {
                let msg = if lists.len() > 1 {
                    format!(
                        "element {ei} of list {} is null; cannot concatenate null values",
                        ai + 1
                    )
                } else {
                    format!("element {ei} is null; cannot concatenate null values")
                };
                return Err(FnError::arg(ai + 1, msg));
            }
            items.push(st(v));
        }
    }
    Ok(sv(items.join(sep)))
}

fn split(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let sep = st(&a[0]);
    let s = st(&a[1]);
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| sv(c.to_string())).collect()
    } else {
        s.split(sep).map(sv).collect()
    };
    Ok(Value::list(Type::String, parts))
}

fn substr(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = st(&a[0]);
    let mut offset = whole(&a[1]).map_err(FnError::msg)?;
    let length = whole(&a[2]).map_err(FnError::msg)?;
    let total = s.graphemes(true).count() as i64;
    if offset < 0 {
        offset += total;
    } else if length == 0 {
        return Ok(sv(""));
    }
    let mut sub = s;
    if offset > 0 {
        let mut pos = 0;
        let mut i = 0;
        for g in s.graphemes(true) {
            i += g.len();
            pos += 1;
            if pos == offset {
                break;
            }
            if i >= s.len() {
                return Ok(sv(""));
            }
        }
        sub = &s[i..];
    }
    if length < 0 {
        return Ok(sv(sub));
    }
    let mut pos = 0;
    let mut i = 0;
    for g in sub.graphemes(true) {
        i += g.len();
        pos += 1;
        if pos == length {
            break;
        }
    }
    Ok(sv(&sub[..i]))
}

/// Compile a Go (RE2) regular expression with the `regex` crate, making the
/// Perl classes and word boundaries ASCII-only as in Go and expanding `\Q…\E`.
pub(crate) fn go_regex(pat: &str) -> Result<Regex, String> {
    let mut out = String::with_capacity(pat.len() + 8);
    let mut chars = pat.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let rep: Option<&str> = match n {
                    'd' => Some("[0-9]"),
                    'D' => Some("[^0-9]"),
                    'w' => Some("[0-9A-Za-z_]"),
                    'W' => Some("[^0-9A-Za-z_]"),
                    's' => Some("[\\t\\n\\f\\r ]"),
                    'S' => Some("[^\\t\\n\\f\\r ]"),
                    'b' if class_depth == 0 => Some("(?-u:\\b)"),
                    'B' if class_depth == 0 => Some("(?-u:\\B)"),
                    _ => None,
                };
                if let Some(r) = rep {
                    out.push_str(r);
                } else if n == 'Q' {
                    let mut lit = String::new();
                    while let Some(x) = chars.next() {
                        if x == '\\' && chars.peek() == Some(&'E') {
                            chars.next();
                            break;
                        }
                        lit.push(x);
                    }
                    out.push_str(&regex::escape(&lit));
                } else {
                    out.push('\\');
                    out.push(n);
                }
            }
            '[' => {
                out.push('[');
                if class_depth > 0 && chars.peek() == Some(&':') {
                    // POSIX class like [:alpha:] inside a bracket expression.
                    for x in chars.by_ref() {
                        out.push(x);
                        if x == ']' {
                            break;
                        }
                    }
                    continue;
                }
                class_depth += 1;
                if chars.peek() == Some(&'^') {
                    out.push(chars.next().unwrap());
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str("\\]");
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    Regex::new(&out).map_err(|e| regex_err_text(&e))
}

fn regex_err_text(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(s) => s
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .map(|l| l.trim_start_matches("error:").trim().to_string())
            .unwrap_or_else(|| s.clone()),
        other => other.to_string(),
    }
}

fn replace(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (s, sub, rep) = (st(&a[0]), st(&a[1]), st(&a[2]));
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let re = go_regex(&sub[1..sub.len() - 1])
            .map_err(|e| FnError::msg(format!("error parsing regexp: {e}")))?;
        return Ok(sv(re.replace_all(s, rep)));
    }
    Ok(sv(s.replace(sub, rep)))
}

/// Result shape of a pattern: no groups → string, unnamed → tuple, named → object.
enum Shape {
    Whole,
    Tuple(usize),
    Object(Vec<String>),
}

fn regex_shape(pat: &str) -> Result<(Regex, Shape, Type), FnError> {
    let re = go_regex(pat).map_err(|e| FnError::arg(0, format!("invalid regexp pattern: {e}")))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let unnamed = names.iter().filter(|n| n.is_none()).count();
    let named: Vec<String> = names.iter().flatten().map(|s| s.to_string()).collect();
    let (shape, ty) = if names.is_empty() {
        (Shape::Whole, Type::String)
    } else if unnamed > 0 && !named.is_empty() {
        return Err(FnError::arg(
            0,
            "invalid regexp pattern: cannot mix both named and unnamed capture groups",
        ));
    } else if unnamed > 0 {
        (
            Shape::Tuple(unnamed),
            Type::Tuple(vec![Type::String; unnamed]),
        )
    } else {
        let ty = Type::Object(named.iter().map(|n| (n.clone(), Type::String)).collect());
        (Shape::Object(named), ty)
    };
    Ok((re, shape, ty))
}

fn capture_value(caps: &regex::Captures, shape: &Shape) -> Value {
    let grp = |i: usize| match caps.get(i) {
        Some(m) => sv(m.as_str()),
        None => Value::null_of(Type::String),
    };
    match shape {
        Shape::Whole => grp(0),
        Shape::Tuple(n) => Value::tuple((1..=*n).map(grp).collect()),
        Shape::Object(names) => {
            let mut m = BTreeMap::new();
            for n in names {
                let v = match caps.name(n) {
                    Some(x) => sv(x.as_str()),
                    None => Value::null_of(Type::String),
                };
                m.insert(n.clone(), v);
            }
            Value::object(m)
        }
    }
}

fn regex_fn(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (re, shape, ty) = regex_shape(st(&a[0]))?;
    if !a[1].is_known() {
        return Ok(Value::unknown(ty));
    }
    match re.captures(st(&a[1])) {
        Some(c) => Ok(capture_value(&c, &shape)),
        None => Err(FnError::msg(
            "pattern did not match any part of the given string",
        )),
    }
}

fn regexall(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (re, shape, ty) = regex_shape(st(&a[0]))?;
    if !a[1].is_known() {
        return Ok(Value::unknown(Type::list(ty)));
    }
    let vals: Vec<Value> = re
        .captures_iter(st(&a[1]))
        .map(|c| capture_value(&c, &shape))
        .collect();
    Ok(Value::list(ty, vals))
}

// ---------------------------------------------------------------------------
// format / formatlist

/// Go's `fmt` rejects widths and precisions above one million.
const MAX_FORMAT_WIDTH: usize = 1_000_000;

/// The error for a string result longer than `MAX_STRING_LEN`.
pub(crate) fn too_long() -> FnError {
    FnError::msg(format!(
        "the result would be longer than {} bytes",
        super::MAX_STRING_LEN
    ))
}

fn format(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a[1..].iter().any(|v| !v.is_wholly_known()) {
        return Ok(Value::unknown(Type::String));
    }
    Ok(sv(format_fsm(st(&a[0]), &a[1..])?))
}

fn formatlist(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let fmt = st(&a[0]);
    let args = &a[1..];
    if args.is_empty() {
        return Ok(Value::list(Type::String, vec![sv(format_fsm(fmt, args)?)]));
    }
    let mut iter_len: Option<(usize, usize)> = None;
    let mut unknown = false;
    for (i, arg) in args.iter().enumerate() {
        let seq_ty = matches!(arg.ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_));
        if seq_ty && !arg.is_null() {
            let Some(items) = arg.as_seq() else {
                unknown = true;
                continue;
            };
            let n = items.len();
            match iter_len {
                None => iter_len = Some((n, i)),
                Some((l, chooser)) if l != n => {
                    return Err(FnError::arg(
                        i + 1,
                        format!(
                            "argument {} has length {n}, which is inconsistent with argument {} of length {l}",
                            i + 1,
                            chooser + 1
                        ),
                    ))
                }
                _ => {}
            }
        } else if !arg.is_known() && arg.ty() == Type::Dynamic {
            unknown = true;
        }
    }
    if unknown {
        return Ok(Value::unknown(Type::list(Type::String)));
    }
    let n = iter_len.map(|x| x.0).unwrap_or(1);
    let mut out = Vec::with_capacity(n);
    'results: for k in 0..n {
        let mut fargs = Vec::with_capacity(args.len());
        for arg in args {
            let seq_ty = matches!(arg.ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_));
            let v = if seq_ty && !arg.is_null() {
                arg.as_seq().unwrap()[k].clone()
            } else {
                arg.clone()
            };
            if !v.is_wholly_known() {
                out.push(Value::unknown(Type::String));
                continue 'results;
            }
            fargs.push(v);
        }
        let s = format_fsm(fmt, &fargs)
            .map_err(|e| FnError::msg(format!("error on format iteration {k}: {e}")))?;
        out.push(sv(s));
    }
    Ok(Value::list(Type::String, out))
}

#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '\\' => "'\\\\'".into(),
        '\n' => "'\\n'".into(),
        '\t' => "'\\t'".into(),
        '\r' => "'\\r'".into(),
        c if c.is_control() => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

fn go_quote(s: &str) -> String {
    let mut o = String::new();
    write_json_str(s, &mut o, true);
    o
}

/// The `format` state machine (cty's formatFSM).
pub(crate) fn format_fsm(fmt: &str, args: &[Value]) -> Result<String, FnError> {
    let b = fmt.as_bytes();
    let mut out = String::new();
    let mut next_arg = 1usize;
    let mut highest = 0usize;
    let mut p = 0usize;
    let unrec = |p: usize| {
        let c = fmt[p..].chars().next().unwrap_or('\u{fffd}');
        FnError::msg(format!(
            "unrecognized format character {} at offset {p}",
            go_quote_rune(c)
        ))
    };
    let eof = || {
        FnError::msg(format!(
            "invalid format string starting at offset {}",
            fmt.len()
        ))
    };
    while p < b.len() {
        if out.len() > super::MAX_STRING_LEN {
            return Err(too_long());
        }
        if b[p] != b'%' {
            let c = fmt[p..].chars().next().unwrap();
            out.push(c);
            p += c.len_utf8();
            continue;
        }
        let ts = p;
        p += 1;
        if p >= b.len() {
            return Err(eof());
        }
        if b[p] == b'%' {
            out.push('%');
            p += 1;
            continue;
        }
        let mut v = Verb {
            arg: next_arg,
            ..Default::default()
        };
        // flags
        while p < b.len() {
            match b[p] {
                b'0' => v.zero = true,
                b'#' => v.sharp = true,
                b'-' => v.minus = true,
                b'+' => v.plus = true,
                b' ' => v.space = true,
                _ => break,
            }
            p += 1;
        }
        // width
        if p < b.len() && (b'1'..=b'9').contains(&b[p]) {
            let mut w = 0usize;
            while p < b.len() && b[p].is_ascii_digit() {
                w = w.saturating_mul(10).saturating_add((b[p] - b'0') as usize);
                p += 1;
            }
            if w > MAX_FORMAT_WIDTH {
                return Err(FnError::msg(format!(
                    "width at offset {ts} is too large (more than {MAX_FORMAT_WIDTH})"
                )));
            }
            v.width = Some(w);
        }
        // precision
        if p < b.len() && b[p] == b'.' {
            p += 1;
            let mut pr = 0usize;
            while p < b.len() && b[p].is_ascii_digit() {
                pr = pr.saturating_mul(10).saturating_add((b[p] - b'0') as usize);
                p += 1;
            }
            if pr > MAX_FORMAT_WIDTH {
                return Err(FnError::msg(format!(
                    "precision at offset {ts} is too large (more than {MAX_FORMAT_WIDTH})"
                )));
            }
            v.prec = Some(pr);
        }
        // explicit argument index
        if p < b.len() && b[p] == b'[' {
            p += 1;
            if p >= b.len() {
                return Err(eof());
            }
            if !(b'1'..=b'9').contains(&b[p]) {
                return Err(unrec(p));
            }
            let mut n = 0usize;
            while p < b.len() && b[p].is_ascii_digit() {
                n = n.saturating_mul(10).saturating_add((b[p] - b'0') as usize);
                p += 1;
            }
            if p >= b.len() {
                return Err(eof());
            }
            if b[p] != b']' {
                return Err(unrec(p));
            }
            p += 1;
            v.arg = n;
        }
        if p >= b.len() {
            return Err(eof());
        }
        if !b[p].is_ascii_alphabetic() {
            return Err(unrec(p));
        }
        v.mode = b[p] as char;
        p += 1;
        v.raw = fmt[ts..p].to_string();
        v.offset = ts;
        highest = highest.max(v.arg);
        format_append(&v, &mut out, args)?;
        next_arg = v.arg + 1;
    }
    if highest < args.len() {
        let first_bad = highest + 1;
        if highest == 0 {
            return Err(FnError::arg(
                first_bad,
                "too many arguments; no verbs in format string",
            ));
        }
        return Err(FnError::arg(
            first_bad,
            format!("too many arguments; only {highest} used by format string"),
        ));
    }
    Ok(out)
}

fn format_append(v: &Verb, out: &mut String, args: &[Value]) -> Result<(), FnError> {
    let raw = go_quote(&v.raw);
    if v.arg > args.len() {
        return Err(FnError::msg(format!(
            "not enough arguments for {raw} at {}: need index {} but have {} total",
            v.offset,
            v.arg,
            args.len()
        )));
    }
    let arg = &args[v.arg - 1];
    if v.mode != 'v' && arg.is_null() {
        return Err(FnError::msg(format!(
            "unsupported value for {raw} at {}: null value cannot be formatted",
            v.offset
        )));
    }
    let conv = |t: Type| {
        convert(arg, &t)
            .map_err(|e| FnError::msg(format!("unsupported value for {raw} at {}: {e}", v.offset)))
    };
    match v.mode {
        'v' => {
            let s = match &arg.kind {
                Kind::String(s) if !v.sharp => s.clone(),
                Kind::Number(n) if !v.sharp => float_text(n, 'g', None),
                _ => to_json_string(arg),
            };
            out.push_str(&pad_width(v, &s));
        }
        't' => {
            let b = conv(Type::Bool)?;
            out.push_str(if b.as_bool() == Some(true) {
                "true"
            } else {
                "false"
            });
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = conv(Type::Number)?;
            let n = n.as_number().unwrap();
            let bi = if n.is_integer() { n.to_bigint() } else { None };
            let Some(bi) = bi else {
                return Err(FnError::msg(format!(
                    "unsupported value for {raw} at {}: an integer is required",
                    v.offset
                )));
            };
            out.push_str(&format_int(v, &bi));
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = conv(Type::Number)?;
            out.push_str(&format_float(v, n.as_number().unwrap()));
        }
        's' | 'q' => {
            let s = conv(Type::String)?;
            let mut s = st(&s);
            if let Some(pr) = v.prec.filter(|p| *p > 0) {
                let end = s
                    .grapheme_indices(true)
                    .nth(pr)
                    .map(|(i, _)| i)
                    .unwrap_or(s.len());
                s = &s[..end];
            }
            let s = if v.mode == 'q' {
                to_json_string(&Value::string(s))
            } else {
                s.to_string()
            };
            out.push_str(&pad_width(v, &s));
        }
        m => {
            return Err(FnError::msg(format!(
                "unsupported format verb {} in {raw} at offset {}",
                go_quote_rune(m),
                v.offset
            )))
        }
    }
    Ok(())
}

fn pad_width(v: &Verb, s: &str) -> String {
    let Some(w) = v.width else {
        return s.to_string();
    };
    let n = s.graphemes(true).count();
    if n >= w {
        return s.to_string();
    }
    let pad = if v.zero { "0" } else { " " }.repeat(w - n);
    if v.minus {
        format!("{s}{pad}")
    } else {
        format!("{pad}{s}")
    }
}

/// Go's `big.Int` formatting (`%b %d %o %x %X` with flags).
fn format_int(v: &Verb, bi: &BigInt) -> String {
    let neg = bi.sign() == num_bigint::Sign::Minus;
    let mag = if neg { -bi } else { bi.clone() };
    let radix = match v.mode {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let mut digits = mag.to_str_radix(radix);
    if v.mode == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = if neg {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let prefix = if v.sharp {
        match v.mode {
            'b' => "0b",
            'o' => "0",
            'x' => "0x",
            'X' => "0X",
            _ => "",
        }
    } else {
        ""
    };
    let mut zeros = 0;
    if let Some(pr) = v.prec {
        if digits.len() < pr {
            zeros = pr - digits.len();
        } else if digits == "0" && pr == 0 {
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let len = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(w) = v.width.filter(|w| len < *w) {
        let d = w - len;
        if v.minus {
            right = d;
        } else if v.zero && v.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// Decimal digits of |n| (no leading/trailing zeros) and the decimal point
/// position: |n| = 0.DIGITS × 10^exp. `sig` rounds to that many significant
/// digits; None gives the shortest representation.
fn decimal(n: &Number, sig: Option<usize>) -> (String, i64) {
    let a = n.abs();
    if a.is_zero() {
        return (String::new(), 0);
    }
    let text = match sig {
        Some(k) => a.format_exp(Some(k.max(1) - 1), false),
        None => a.to_string(),
    };
    let (mant, e) = match text.find(['e', 'E']) {
        Some(i) => (
            &text[..i],
            text[i + 1..]
                .trim_start_matches('+')
                .parse::<i64>()
                .unwrap_or(0),
        ),
        None => (&text[..], 0),
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let all = format!("{ip}{fp}");
    let mut exp = ip.len() as i64 + e;
    let trimmed = all.trim_start_matches('0');
    exp -= (all.len() - trimmed.len()) as i64;
    let digits = trimmed.trim_end_matches('0').to_string();
    (digits, exp)
}

fn fmt_e(digits: &str, exp: i64, prec: usize, ch: char) -> String {
    let d = digits.as_bytes();
    let mut o = String::new();
    o.push(if d.is_empty() { '0' } else { d[0] as char });
    if prec > 0 {
        o.push('.');
        let m = d.len().min(prec + 1);
        let mut i = 1;
        if i < m {
            o.push_str(&digits[1..m]);
            i = m;
        }
        while i <= prec {
            o.push('0');
            i += 1;
        }
    }
    o.push(ch);
    let e = if d.is_empty() { 0 } else { exp - 1 };
    o.push(if e < 0 { '-' } else { '+' });
    if e.abs() < 10 {
        o.push('0');
    }
    o.push_str(&e.abs().to_string());
    o
}

fn fmt_f(digits: &str, exp: i64, prec: usize) -> String {
    let d = digits.as_bytes();
    let mut o = String::new();
    if exp > 0 {
        let m = d.len().min(exp as usize);
        o.push_str(&digits[..m]);
        for _ in m..exp as usize {
            o.push('0');
        }
    } else {
        o.push('0');
    }
    if prec > 0 {
        o.push('.');
        for i in 0..prec as i64 {
            let k = exp + i;
            o.push(if k >= 0 && (k as usize) < d.len() {
                d[k as usize] as char
            } else {
                '0'
            });
        }
    }
    o
}

/// Go's `big.Float.Text` for the unsigned magnitude (`fmt` in e/E/f/g/G;
/// `prec` None means shortest for g, 6 for e/f).
fn float_text(n: &Number, fmt: char, prec: Option<usize>) -> String {
    let mut s = if n.is_negative() {
        "-".to_string()
    } else {
        String::new()
    };
    s.push_str(&float_mag(n, fmt, prec));
    s
}

fn float_mag(n: &Number, fmt: char, prec: Option<usize>) -> String {
    if n.is_infinite() {
        return "Inf".into();
    }
    match fmt {
        'e' | 'E' => {
            let p = prec.unwrap_or(6);
            let (d, e) = decimal(n, Some(p + 1));
            fmt_e(&d, e, p, fmt)
        }
        'f' => n.abs().format_fixed(prec.unwrap_or(6)),
        _ => {
            let ech = if fmt == 'G' { 'E' } else { 'e' };
            let shortest = prec.is_none();
            let (d, e) = match prec {
                None => decimal(n, None),
                Some(p) => decimal(n, Some(p.max(1))),
            };
            let mut p = match prec {
                None => d.len(),
                Some(p) => p.max(1),
            };
            let mut eprec = p as i64;
            if eprec > d.len() as i64 && d.len() as i64 >= e {
                eprec = d.len() as i64;
            }
            if shortest {
                eprec = 6;
            }
            let x = e - 1;
            if x < -4 || x >= eprec {
                if p > d.len() {
                    p = d.len();
                }
                return fmt_e(&d, e, p.saturating_sub(1), ech);
            }
            if p as i64 > e {
                p = d.len();
            }
            fmt_f(&d, e, (p as i64 - e).max(0) as usize)
        }
    }
}

/// `%e %E %f %g %G` with Go's `big.Float.Format` flag handling.
fn format_float(v: &Verb, n: &Number) -> String {
    let body = float_mag(n, v.mode, v.prec);
    let sign = if n.is_negative() {
        "-"
    } else if n.is_infinite() {
        if v.space {
            " "
        } else {
            "+"
        }
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + body.len();
    let padding = v.width.filter(|w| *w > len).map(|w| w - len).unwrap_or(0);
    if v.zero && !n.is_infinite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if v.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

#[cfg(test)]
#[allow(clippy::approx_constant)]
mod tests {
    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::to_json_string_plain as to_json_string;
    use crate::lang::number::Number;
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        Value::number(Number::from_f64(x).unwrap())
    }
    fn l(xs: &[&str]) -> Value {
        Value::list(Type::String, xs.iter().map(|x| s(x)).collect())
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    /// Call and render the result as JSON.
    fn j(name: &str, args: Vec<Value>) -> String {
        to_json_string(&c(name, args).unwrap())
    }
    fn e(name: &str, args: Vec<Value>) -> String {
        c(name, args).unwrap_err().to_string()
    }

    #[test]
    fn huge_sizes_are_errors() {
        // Found by fuzzing: these ran out of memory or ran for minutes.
        assert!(e("format", vec![s("%999999999999d"), n(1.0)]).contains("too large"));
        assert!(e("format", vec![s("%.999999999f"), n(1.0)]).contains("too large"));
        assert!(e("format", vec![s("%.99999999e"), n(1.0)]).contains("too large"));
        assert_eq!(j("format", vec![s("%5.1f"), n(1.0)]), r#""  1.0""#);
        assert!(e("indent", vec![n(999999999999.0), s("a\nb")]).contains("longer than"));
        assert_eq!(j("indent", vec![n(2.0), s("a\nb")]), r#""a\n  b""#);
    }

    #[test]
    fn upper_converts_and_marks() {
        let r = c("upper", vec![s("abc")]).unwrap();
        assert_eq!(r.as_str(), Some("ABC"));
        let r = c("upper", vec![s("x").mark(true)]).unwrap();
        assert!(r.sensitive);
        assert_eq!(j("upper", vec![s("hello wörld ß")]), r#""HELLO WÖRLD ß""#);
        assert_eq!(j("upper", vec![s("ﬀ ǆ ŉ")]), r#""ﬀ Ǆ ŉ""#);
        assert_eq!(j("upper", vec![n(12.5)]), r#""12.5""#);
        assert!(!c("upper", vec![Value::unknown(Type::String)])
            .unwrap()
            .is_known());
        assert_eq!(
            e("upper", vec![Value::null_of(Type::String)]),
            "argument must not be null"
        );
    }

    #[test]
    fn lower_title() {
        assert_eq!(j("lower", vec![s("HeLLo WÖRLD")]), r#""hello wörld""#);
        assert_eq!(j("lower", vec![s("İ ΣΑΣ")]), r#""i σασ""#);
        assert_eq!(
            j("title", vec![s("hello world-foo bar_baz")]),
            r#""Hello World-Foo Bar_baz""#
        );
        assert_eq!(j("title", vec![s("hELLO wORLD")]), r#""HELLO WORLD""#);
        assert_eq!(j("title", vec![s("ǆa xyz 3d a.b")]), r#""ǅa Xyz 3d A.B""#);
        assert_eq!(
            j("title", vec![s("élan vital ünter")]),
            r#""Élan Vital Ünter""#
        );
    }

    #[test]
    fn trims_and_chomp() {
        assert_eq!(j("chomp", vec![s("hello\n\n\r\n")]), r#""hello""#);
        assert_eq!(j("chomp", vec![s("a\r\r\n\n")]), r#""a""#);
        assert_eq!(j("chomp", vec![s("hel\nlo")]), r#""hel\nlo""#);
        assert_eq!(j("trim", vec![s("?!hello?!"), s("!?")]), r#""hello""#);
        assert_eq!(j("trim", vec![s("xxyhelloyxx"), s("xy")]), r#""hello""#);
        assert_eq!(j("trimspace", vec![s("\u{a0} x \u{2003}\n")]), r#""x""#);
        assert_eq!(j("trimprefix", vec![s("aaab"), s("a")]), r#""aab""#);
        assert_eq!(
            j("trimprefix", vec![s("helloworld"), s("world")]),
            r#""helloworld""#
        );
        assert_eq!(
            j("trimsuffix", vec![s("helloworld"), s("world")]),
            r#""hello""#
        );
    }

    #[test]
    fn predicates() {
        assert_eq!(j("startswith", vec![s("hello"), s("he")]), "true");
        assert_eq!(j("startswith", vec![s("hello"), s("lo")]), "false");
        assert_eq!(
            j("startswith", vec![Value::unknown(Type::String), s("")]),
            "true"
        );
        assert!(!c("startswith", vec![Value::unknown(Type::String), s("a")])
            .unwrap()
            .is_known());
        assert_eq!(j("endswith", vec![s("hello"), s("lo")]), "true");
        assert_eq!(j("endswith", vec![s("hello"), s("he")]), "false");
        assert_eq!(j("strcontains", vec![s("hello"), s("ell")]), "true");
        assert_eq!(j("strcontains", vec![s("hello"), s("x")]), "false");
    }

    #[test]
    fn indent_join_split() {
        assert_eq!(j("indent", vec![n(2.0), s("a\nb")]), r#""a\n  b""#);
        assert_eq!(
            j("indent", vec![n(4.0), s("a\nb\n")]),
            r#""a\n    b\n    ""#
        );
        assert_eq!(
            j("indent", vec![n(2.0), s("a\r\nb\n")]),
            r#""a\r\n  b\n  ""#
        );
        assert!(c("indent", vec![n(-2.0), s("a")]).is_err());
        assert_eq!(
            j("join", vec![s(", "), l(&["a", "b", "c"])]),
            r#""a, b, c""#
        );
        assert_eq!(
            j("join", vec![s("-"), l(&["a", "b"]), l(&["c"]), l(&[])]),
            r#""a-b-c""#
        );
        let nums = Value::tuple(vec![n(1.0), n(2.5), Value::bool(true)]);
        assert_eq!(j("join", vec![s("+"), nums]), r#""1+2.5+true""#);
        assert_eq!(e("join", vec![s(",")]), "at least one list is required");
        let with_null = Value::tuple(vec![s("a"), Value::null()]);
        assert_eq!(
            e("join", vec![s(","), with_null.clone()]),
            "element 1 is null; cannot concatenate null values"
        );
        assert_eq!(
            e("join", vec![s(","), l(&["a"]), with_null]),
            "element 1 of list 2 is null; cannot concatenate null values"
        );
        let unk = Value::list(Type::String, vec![Value::unknown(Type::String)]);
        assert!(!c("join", vec![s(","), unk]).unwrap().is_known());
        assert_eq!(j("split", vec![s(","), s("a,b,,c")]), r#"["a","b","","c"]"#);
        assert_eq!(j("split", vec![s(","), s("")]), r#"[""]"#);
        assert_eq!(
            j("split", vec![s("::"), s("a::b::::c")]),
            r#"["a","b","","c"]"#
        );
        assert_eq!(j("split", vec![s(""), s("abc")]), r#"["a","b","c"]"#);
        assert_eq!(j("split", vec![s(""), s("")]), "[]");
    }

    #[test]
    fn substr_and_strrev() {
        let sub = |x: &str, o: f64, len: f64| j("substr", vec![s(x), n(o), n(len)]);
        assert_eq!(sub("hello world", 1.0, 4.0), r#""ello""#);
        assert_eq!(sub("hello world", 6.0, -1.0), r#""world""#);
        assert_eq!(sub("hello world", -5.0, 3.0), r#""wor""#);
        assert_eq!(sub("abc", 1.0, 100.0), r#""bc""#);
        assert_eq!(sub("héllo wörld", 1.0, 4.0), r#""éllo""#);
        assert_eq!(sub("hello", 10.0, 2.0), r#""""#);
        assert_eq!(sub("hello", -10.0, 2.0), r#""he""#);
        assert_eq!(sub("hello", -1.0, 0.0), r#""o""#);
        assert_eq!(sub("hello", 5.0, 1.0), r#""""#);
        assert_eq!(sub("日本語テキスト", 2.0, 3.0), r#""語テキ""#);
        assert!(e("substr", vec![s("hello"), n(1.5), n(2.0)]).contains("whole number"));
        assert_eq!(j("strrev", vec![s("año ☃ x")]), r#""x ☃ oña""#);
        assert_eq!(j("strrev", vec![s("ae\u{301}b")]), "\"b\u{e9}a\"");
    }

    #[test]
    fn regex_shapes() {
        assert_eq!(
            j("regex", vec![s("(\\w+)@(\\w+)"), s("me@host")]),
            r#"["me","host"]"#
        );
        assert_eq!(j("regex", vec![s("\\d+"), s("a123b")]), r#""123""#);
        assert_eq!(j("regex", vec![s("(\\d)(x)?"), s("a1")]), r#"["1",null]"#);
        assert_eq!(
            j("regex", vec![s("(?P<a>\\d)(?P<b>x)?"), s("a1")]),
            r#"{"a":"1","b":null}"#
        );
        assert_eq!(
            e("regex", vec![s("x"), s("abc")]),
            "pattern did not match any part of the given string"
        );
        assert_eq!(
            e("regex", vec![s("(a)(?P<n>b)"), s("ab")]),
            "invalid regexp pattern: cannot mix both named and unnamed capture groups"
        );
        assert!(e("regex", vec![s("["), s("x")]).starts_with("invalid regexp pattern"));
        assert_eq!(
            j("regexall", vec![s("\\d"), s("a1b22")]),
            r#"["1","2","2"]"#
        );
        assert_eq!(
            j("regexall", vec![s("(\\d)(\\w)"), s("1a2b3")]),
            r#"[["1","a"],["2","b"]]"#
        );
        assert_eq!(
            j("regexall", vec![s("(?P<k>\\w)=(?P<v>\\d)"), s("a=1,b=2")]),
            r#"[{"k":"a","v":"1"},{"k":"b","v":"2"}]"#
        );
        assert_eq!(j("regexall", vec![s("x"), s("abc")]), "[]");
        // Go's \w and \b are ASCII-only.
        assert_eq!(
            j("regexall", vec![s("\\w+"), s("héllo wörld")]),
            r#"["h","llo","w","rld"]"#
        );
        assert_eq!(j("regex", vec![s("\\bw"), s("é w")]), r#""w""#);
        let r = c("regexall", vec![s("(a)"), Value::unknown(Type::String)]).unwrap();
        assert_eq!(r.ty(), Type::list(Type::Tuple(vec![Type::String])));
    }

    #[test]
    fn replace_plain_and_regex() {
        let rp = |a: &str, b: &str, r: &str| j("replace", vec![s(a), s(b), s(r)]);
        assert_eq!(rp("1 + 2 + 3", "+", "-"), r#""1 - 2 - 3""#);
        assert_eq!(rp("aaaa", "aa", "b"), r#""bb""#);
        assert_eq!(rp("hello world", "/o(.)/", "0$1"), r#""hell0 w0rld""#);
        assert_eq!(rp("abc123def45", "/[0-9]+/", "#"), r#""abc#def#""#);
        assert_eq!(
            rp(
                "2021-03-04",
                "/(?P<y>\\d+)-(?P<m>\\d+)-(?P<d>\\d+)/",
                "$d/$m/$y"
            ),
            r#""04/03/2021""#
        );
        assert_eq!(rp("foo", "/(o)/", "${1}x"), r#""foxox""#);
        assert_eq!(rp("a/b/c", "/", "\\"), r#""a\\b\\c""#);
        assert_eq!(rp("abc", "", "-"), r#""-a-b-c-""#);
        assert_eq!(
            rp("Hello HELLO hello", "/(?i)hello/", "bye"),
            r#""bye bye bye""#
        );
        assert_eq!(rp("naïve café", "/[éï]/", "_"), r#""na_ve caf_""#);
        assert_eq!(rp("héllo", "/\\w+/", "X"), r#""XéX""#);
        assert_eq!(rp("a.b", "//", "x"), r#""xax.xbx""#);
        assert_eq!(rp("aXbX", "/X/", "$$"), r#""a$b$""#);
        assert_eq!(rp("ab", "/(a)/", "$1x$2"), r#""b""#);
        assert!(e("replace", vec![s("abc"), s("/(/"), s("x")]).starts_with("error parsing regexp"));
    }

    #[test]
    fn format_verbs() {
        let f = |args: Vec<Value>| j("format", args);
        assert_eq!(f(vec![s("%s-%03d"), s("id"), n(7.0)]), r#""id-007""#);
        let obj = crate::lang::json::from_json_str(r#"{"a":1}"#).unwrap();
        assert_eq!(
            f(vec![
                s("%v|%v|%v|%#v|%v"),
                n(1e6),
                n(1.5),
                Value::bool(true),
                obj,
                Value::null()
            ]),
            r#""1e+06|1.5|true|{\"a\":1}|null""#
        );
        assert_eq!(
            f(vec![
                s("%5s|%-5s|%05s|%.2s|%q"),
                s("ab"),
                s("ab"),
                s("ab"),
                s("héllo"),
                s("a\"<b")
            ]),
            r#""   ab|ab   |000ab|hé|\"a\\\"\\u003cb\"""#
        );
        assert_eq!(
            f(vec![
                s("%d|%5d|%-5d|%05d|%+d|% d|%.3d|%#x|%#o|%#b|%X"),
                n(42.0),
                n(42.0),
                n(42.0),
                n(-42.0),
                n(42.0),
                n(42.0),
                n(7.0),
                n(255.0),
                n(8.0),
                n(5.0),
                n(255.0)
            ]),
            r#""42|   42|42   |-0042|+42| 42|007|0xff|010|0b101|FF""#
        );
        assert_eq!(
            f(vec![
                s("%e|%E|%.2e|%10.3f|%-10.3f|%010.3f|%+.1f|%g|%G|%.3g|%g"),
                n(123456.789),
                n(0.000123),
                n(5.0),
                n(3.14159),
                n(3.14159),
                n(-3.14159),
                n(2.25),
                n(100000.0),
                n(1e21),
                n(1234567.0),
                n(1e-5)
            ]),
            r#""1.234568e+05|1.230000E-04|5.00e+00|     3.142|3.142     |-00003.142|+2.2|100000|1E+21|1.23e+06|1e-05""#
        );
        assert_eq!(
            f(vec![
                s("%g|%g|%g|%g"),
                n(0.0001),
                n(123456.0),
                n(1234567.0),
                n(0.1)
            ]),
            r#""0.0001|123456|1.234567e+06|0.1""#
        );
        assert_eq!(f(vec![s("%[2]s %[1]s %s"), s("a"), s("b")]), r#""b a b""#);
        assert_eq!(
            f(vec![s("%t|%t"), Value::bool(true), s("false")]),
            r#""true|false""#
        );
        assert_eq!(f(vec![s("%.0d|%.0d"), n(0.0), n(5.0)]), r#""|5""#);
        assert_eq!(
            f(vec![s("%3v|%-4v|%04v"), n(5.0), s("a"), n(7.0)]),
            r#""  5|a   |0007""#
        );
        assert_eq!(f(vec![s("100%%")]), r#""100%""#);
        assert_eq!(
            f(vec![s("%8.3e|%-12E|"), n(1234.5), n(-0.5)]),
            r#""1.234e+03|-5.000000E-01|""#
        );
    }

    #[test]
    fn format_errors() {
        let f = |args: Vec<Value>| e("format", args);
        assert_eq!(
            f(vec![s("%d"), n(1.5)]),
            "unsupported value for \"%d\" at 0: an integer is required"
        );
        assert_eq!(
            f(vec![s("%s %s"), s("a"), s("b"), s("c")]),
            "too many arguments; only 2 used by format string"
        );
        assert_eq!(
            f(vec![s("abc"), n(1.0)]),
            "too many arguments; no verbs in format string"
        );
        assert_eq!(
            f(vec![s("abc%")]),
            "invalid format string starting at offset 4"
        );
        assert_eq!(
            f(vec![s("%!")]),
            "unrecognized format character '!' at offset 1"
        );
        assert_eq!(
            f(vec![s("%z"), n(1.0)]),
            "unsupported format verb 'z' in \"%z\" at offset 0"
        );
        assert_eq!(
            f(vec![s("%s"), Value::null()]),
            "unsupported value for \"%s\" at 0: null value cannot be formatted"
        );
        assert_eq!(
            f(vec![s("%s")]),
            "not enough arguments for \"%s\" at 0: need index 1 but have 0 total"
        );
        assert_eq!(
            f(vec![s("%s"), Value::tuple(vec![n(1.0)])]),
            "unsupported value for \"%s\" at 0: string required"
        );
        let r = c("format", vec![s("a%s"), Value::unknown(Type::String)]).unwrap();
        assert!(!r.is_known());
    }

    #[test]
    fn formatlist_cases() {
        let fl = |args: Vec<Value>| j("formatlist", args);
        assert_eq!(fl(vec![s("<%s>"), l(&["a", "b"])]), r#"["<a>","<b>"]"#);
        assert_eq!(
            fl(vec![s("%s=%s"), l(&["a", "b"]), l(&["1", "2"])]),
            r#"["a=1","b=2"]"#
        );
        assert_eq!(
            fl(vec![s("%s=%s"), l(&["a", "b"]), s("x")]),
            r#"["a=x","b=x"]"#
        );
        assert_eq!(fl(vec![s("%s"), l(&[])]), "[]");
        assert_eq!(fl(vec![s("x")]), r#"["x"]"#);
        assert_eq!(
            e("formatlist", vec![s("%s=%s"), l(&["a", "b"]), l(&["1"])]),
            "argument 2 has length 1, which is inconsistent with argument 1 of length 2"
        );
        assert_eq!(
            e("formatlist", vec![s("%d"), Value::tuple(vec![n(1.5)])]),
            "error on format iteration 0: unsupported value for \"%d\" at 0: an integer is required"
        );
    }
}

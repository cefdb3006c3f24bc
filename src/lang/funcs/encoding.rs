//! Built-in functions: encoding family (base64, gzip, CSV, JSON, YAML, URL
//! and text encodings).

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;

use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::json::{from_json_str, to_json_string};
use crate::lang::number::Number;
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};

pub fn register(r: &mut Registry) {
    let s = || Param::new("str", Type::String);
    r.add(Func::new(
        "base64decode",
        vec![s()],
        Type::String,
        base64decode,
    ));
    r.add(Func::new(
        "base64encode",
        vec![s()],
        Type::String,
        base64encode,
    ));
    r.add(Func::new("base64gzip", vec![s()], Type::String, base64gzip));
    r.add(Func::new("csvdecode", vec![s()], Type::Dynamic, csvdecode));
    r.add(Func::new(
        "jsondecode",
        vec![s()],
        Type::Dynamic,
        jsondecode,
    ));
    r.add(Func::new(
        "jsonencode",
        vec![Param::new("val", Type::Dynamic).allow_null()],
        Type::String,
        jsonencode,
    ));
    r.add(Func::new(
        "textdecodebase64",
        vec![
            Param::new("source", Type::String),
            Param::new("encoding", Type::String),
        ],
        Type::String,
        textdecodebase64,
    ));
    r.add(Func::new(
        "textencodebase64",
        vec![
            Param::new("string", Type::String),
            Param::new("encoding", Type::String),
        ],
        Type::String,
        textencodebase64,
    ));
    r.add(Func::new("urlencode", vec![s()], Type::String, urlencode));
    r.add(Func::new(
        "yamldecode",
        vec![Param::new("src", Type::String)],
        Type::Dynamic,
        yamldecode,
    ));
    r.add(Func::new(
        "yamlencode",
        vec![Param::new("value", Type::Dynamic).allow_null()],
        Type::String,
        yamlencode,
    ));
}

fn str_arg(a: &[Value], i: usize) -> &str {
    a[i].as_str().unwrap_or_default()
}

/// Go's `base64.StdEncoding`: padding required, newlines ignored, trailing
/// bits not checked.
pub(crate) fn go_b64_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{general_purpose::GeneralPurpose, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    ENGINE.decode(cleaned.as_bytes())
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Offset of the first invalid symbol, as Go's `CorruptInputError` reports it.
fn corrupt_offset(e: &base64::DecodeError, s: &str) -> usize {
    match e {
        base64::DecodeError::InvalidByte(o, _) | base64::DecodeError::InvalidLastSymbol(o, _) => *o,
        _ => s.len(),
    }
}

fn base64decode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = str_arg(&a, 0);
    let bytes = go_b64_decode(s)
        .map_err(|_| FnError::msg(format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes)
        .map(Value::string)
        .map_err(|_| FnError::msg("the result of decoding the provided string is not valid UTF-8"))
}

fn base64encode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(b64(str_arg(&a, 0).as_bytes())))
}

/// gzip as Go's `compress/gzip` writes it after Write, Flush and Close: a
/// fixed header (no mtime, OS "unknown"), the deflate stream ended by a sync
/// flush, then an empty final stored block and the trailer.
/// Terraform: `gzip.NewWriter` (default level), `Write`, `Flush`, `Close`,
/// then standard Base64; see [`super::goflate`].
fn base64gzip(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let data = str_arg(&a, 0).as_bytes();
    Ok(Value::string(b64(&super::goflate::gzip_default(data))))
}

// ---- CSV (Go's encoding/csv) ----

struct CsvError {
    start_line: usize,
    line: usize,
    col: usize,
    msg: &'static str,
}

impl std::fmt::Display for CsvError {
    /// Go's `csv.ParseError.Error()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.msg == "wrong number of fields" {
            write!(f, "record on line {}: {}", self.line, self.msg)
        } else if self.start_line != self.line {
            write!(
                f,
                "record on line {}; parse error on line {}, column {}: {}",
                self.start_line, self.line, self.col, self.msg
            )
        } else {
            write!(
                f,
                "parse error on line {}, column {}: {}",
                self.line, self.col, self.msg
            )
        }
    }
}

/// Parse CSV like Go's `encoding/csv` with default settings. Returns records.
fn parse_csv(src: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut line_start = 0;
    let mut records = vec![];
    let mut nfields: Option<usize> = None;
    while i < chars.len() {
        // Skip empty lines.
        if chars[i] == '\n' {
            i += 1;
            line += 1;
            line_start = i;
            continue;
        }
        if chars[i] == '\r' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            line_start = i;
            continue;
        }
        let start_line = line;
        let mut rec = vec![];
        loop {
            let mut field = String::new();
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                loop {
                    if i >= chars.len() {
                        // Go accepts an unterminated quoted field at EOF.
                        break;
                    }
                    let c = chars[i];
                    if c == '"' {
                        if chars.get(i + 1) == Some(&'"') {
                            field.push('"');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                        field.push('\n');
                        i += 2;
                        line += 1;
                        line_start = i;
                        continue;
                    }
                    if c == '\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    field.push(c);
                    i += 1;
                }
                match chars.get(i) {
                    None | Some(',') | Some('\n') => {}
                    Some('\r') if chars.get(i + 1) == Some(&'\n') || i + 1 == chars.len() => {}
                    _ => {
                        return Err(CsvError {
                            start_line,
                            line,
                            col: i - 1 - line_start,
                            msg: "extraneous or missing \" in quoted-field",
                        })
                    }
                }
            } else {
                while i < chars.len() && chars[i] != ',' && chars[i] != '\n' {
                    if chars[i] == '\r' && (chars.get(i + 1) == Some(&'\n') || i + 1 == chars.len())
                    {
                        break;
                    }
                    if chars[i] == '"' {
                        return Err(CsvError {
                            start_line,
                            line,
                            col: i - line_start,
                            msg: "bare \" in non-quoted-field",
                        });
                    }
                    field.push(chars[i]);
                    i += 1;
                }
            }
            rec.push(field);
            match chars.get(i) {
                Some(',') => {
                    i += 1;
                    continue;
                }
                Some('\r') => {
                    i += 1;
                    if chars.get(i) == Some(&'\n') {
                        i += 1;
                    }
                    line += 1;
                    line_start = i;
                    break;
                }
                Some('\n') => {
                    i += 1;
                    line += 1;
                    line_start = i;
                    break;
                }
                _ => break,
            }
        }
        match nfields {
            None => nfields = Some(rec.len()),
            Some(n) if n != rec.len() => {
                return Err(CsvError {
                    start_line,
                    line: start_line,
                    col: 0,
                    msg: "wrong number of fields",
                })
            }
            _ => {}
        }
        records.push(rec);
    }
    Ok(records)
}

fn csvdecode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let recs = parse_csv(str_arg(&a, 0)).map_err(|e| FnError::msg(e.to_string()))?;
    let mut it = recs.into_iter();
    let headers = it
        .next()
        .ok_or_else(|| FnError::msg("missing header line"))?;
    let mut seen = std::collections::HashSet::new();
    for h in &headers {
        if !seen.insert(h.clone()) {
            return Err(FnError::msg(format!("duplicate column name {h:?}")));
        }
    }
    let oty = Type::Object(headers.iter().map(|h| (h.clone(), Type::String)).collect());
    let rows: Vec<Value> = it
        .map(|rec| {
            Value::object(
                headers
                    .iter()
                    .zip(rec)
                    .map(|(h, f)| (h.clone(), Value::string(f)))
                    .collect(),
            )
        })
        .collect();
    Ok(Value::list(oty, rows))
}

// ---- JSON ----

fn jsondecode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = str_arg(&a, 0);
    if s.trim().is_empty() {
        return Err(FnError::arg(0, "unexpected end of JSON input"));
    }
    from_json_str(s).map_err(|e| FnError::arg(0, e))
}

fn jsonencode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(to_json_string(&a[0])))
}

// ---- text encodings ----

#[derive(Clone, Copy)]
enum TextEnc {
    Utf8,
    Utf16 { le: bool, bom: bool },
    Latin1,
    Other(&'static encoding_rs::Encoding),
}

fn lookup_encoding(name: &str) -> Option<(TextEnc, String)> {
    let l = name.trim().to_ascii_lowercase();
    let r = match l.as_str() {
        "utf-8" | "utf8" | "csutf8" => (TextEnc::Utf8, "UTF-8".to_string()),
        "utf-16le" | "csutf16le" => (
            TextEnc::Utf16 {
                le: true,
                bom: false,
            },
            "UTF-16LE".into(),
        ),
        "utf-16be" | "csutf16be" => (
            TextEnc::Utf16 {
                le: false,
                bom: false,
            },
            "UTF-16BE".into(),
        ),
        "utf-16" | "csutf16" => (
            TextEnc::Utf16 {
                le: false,
                bom: true,
            },
            "UTF-16".into(),
        ),
        "iso-8859-1" | "iso_8859-1" | "iso_8859-1:1987" | "latin1" | "l1" | "ibm819" | "cp819"
        | "csisolatin1" | "iso-ir-100" => (TextEnc::Latin1, "ISO-8859-1".into()),
        _ => {
            let e = encoding_rs::Encoding::for_label(l.as_bytes())?;
            if e == encoding_rs::REPLACEMENT || e == encoding_rs::X_USER_DEFINED {
                return None;
            }
            (TextEnc::Other(e), e.name().to_string())
        }
    };
    Some(r)
}

fn unsupported_encoding(name: &str) -> FnError {
    FnError::arg(
        1,
        format!(
            "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
        ),
    )
}

fn textencodebase64(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = str_arg(&a, 0);
    let (enc, name) =
        lookup_encoding(str_arg(&a, 1)).ok_or_else(|| unsupported_encoding(str_arg(&a, 1)))?;
    let unrep = || {
        FnError::arg(
            0,
            format!("the given string contains characters that cannot be represented in {name}"),
        )
    };
    let bytes: Vec<u8> = match enc {
        TextEnc::Utf8 => s.as_bytes().to_vec(),
        TextEnc::Utf16 { le, bom } => {
            let mut out = vec![];
            if bom {
                out.extend_from_slice(&[0xfe, 0xff]);
            }
            for u in s.encode_utf16() {
                if le {
                    out.extend_from_slice(&u.to_le_bytes());
                } else {
                    out.extend_from_slice(&u.to_be_bytes());
                }
            }
            out
        }
        TextEnc::Latin1 => {
            let mut out = vec![];
            for c in s.chars() {
                if (c as u32) > 0xff {
                    return Err(unrep());
                }
                out.push(c as u32 as u8);
            }
            out
        }
        TextEnc::Other(e) => {
            let (bytes, _, unmappable) = e.encode(s);
            if unmappable {
                return Err(unrep());
            }
            bytes.into_owned()
        }
    };
    Ok(Value::string(b64(&bytes)))
}

fn textdecodebase64(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let src = str_arg(&a, 0);
    let (enc, name) =
        lookup_encoding(str_arg(&a, 1)).ok_or_else(|| unsupported_encoding(str_arg(&a, 1)))?;
    let bytes = go_b64_decode(src).map_err(|e| match e {
        base64::DecodeError::InvalidByte(..) | base64::DecodeError::InvalidLastSymbol(..) => {
            FnError::arg(
                0,
                format!(
                    "the given value is has an invalid base64 symbol at offset {}",
                    corrupt_offset(&e, src)
                ),
            )
        }
        _ => FnError::arg(
            0,
            format!(
                "the given value is has an invalid base64 symbol at offset {}",
                src.len()
            ),
        ),
    })?;
    let bad = || {
        FnError::arg(
            0,
            format!("the given string contains symbols that are not defined for {name}"),
        )
    };
    let s: String = match enc {
        TextEnc::Utf8 => String::from_utf8(bytes).map_err(|_| bad())?,
        TextEnc::Utf16 { le, bom } => {
            let mut b = &bytes[..];
            let mut le = le;
            if bom && b.len() >= 2 {
                if b[0] == 0xfe && b[1] == 0xff {
                    b = &b[2..];
                } else if b[0] == 0xff && b[1] == 0xfe {
                    le = true;
                    b = &b[2..];
                }
            }
            if b.len() % 2 != 0 {
                return Err(bad());
            }
            let units: Vec<u16> = b
                .chunks(2)
                .map(|c| {
                    if le {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            String::from_utf16(&units).map_err(|_| bad())?
        }
        TextEnc::Latin1 => bytes.iter().map(|b| *b as char).collect(),
        TextEnc::Other(e) => e
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .ok_or_else(bad)?
            .into_owned(),
    };
    if s.contains('\u{fffd}') {
        return Err(bad());
    }
    Ok(Value::string(s))
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn urlencode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(query_escape(str_arg(&a, 0))))
}

// ---- YAML decoding (cty-yaml semantics: YAML 1.1 scalar resolution) ----

fn yaml_err(mark: &yaml_rust2::scanner::Marker, msg: &str) -> FnError {
    FnError::msg(format!(
        "on line {}, column {}: {}",
        mark.line().max(1),
        mark.col() + 1,
        msg
    ))
}

fn short_tag(t: &Option<yaml_rust2::parser::Tag>) -> String {
    match t {
        None => String::new(),
        Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
            format!("!!{}", t.suffix)
        }
        Some(t) => format!("{}{}", t.handle, t.suffix),
    }
}

fn is_plain_number(s: &str) -> bool {
    // Number syntax accepted by cty.ParseNumberVal (Go big.Float parsing).
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let ds = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut nd = i - ds;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        nd += i - fs;
    }
    if nd == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return false;
        }
    }
    i == b.len()
}

fn parse_num(s: &str) -> Option<Value> {
    if is_plain_number(s) {
        Number::parse(s).map(Value::number)
    } else {
        None
    }
}

fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) =
        if let Some(h) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (16, h)
        } else if let Some(o) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
            (8, o)
        } else if rest.len() > 1 && rest.starts_with('0') {
            (8, &rest[1..])
        } else {
            (10, rest)
        };
    if digits.is_empty() {
        return None;
    }
    let v = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some(Value::number(Number::from_i64(0).sub(&Number::from_u64(v))))
    } else {
        Some(Value::number(Number::from_u64(v)))
    }
}

/// The YAML timestamp forms cty-yaml accepts, normalised to RFC 3339.
fn yaml_timestamp(s: &str) -> Option<String> {
    let digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits != 4 || s.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    super::datetime::parse_yaml_timestamp(s)
}

fn resolve_scalar(tag: &str, src: &str, plain: bool) -> Result<Value, String> {
    let tag = if tag.is_empty() && !plain {
        "!!str"
    } else {
        tag
    };
    if !matches!(
        tag,
        "" | "!!str" | "!!bool" | "!!int" | "!!float" | "!!null" | "!!timestamp" | "!!binary"
    ) {
        return Err(format!("unsupported tag {:?}", long_tag(tag)));
    }
    let hint = match src.as_bytes().first() {
        None => b'N',
        Some(b'+') | Some(b'-') => b'S',
        Some(c) if c.is_ascii_digit() => b'D',
        Some(c) if b"yYnNtTfFoO~".contains(c) => b'M',
        Some(b'.') => b'.',
        _ => 0,
    };
    if hint != 0 && tag != "!!str" && tag != "!!binary" {
        match src {
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
                return Ok(Value::bool(true))
            }
            "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off"
            | "OFF" => return Ok(Value::bool(false)),
            "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::null()),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf"
            | "-.INF" => {
                let f = if src.starts_with('-') {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
                return Ok(Value::number(Number::from_f64(f).unwrap()));
            }
            ".nan" | ".NaN" | ".NAN" => return Err("floating point NaN is not supported".into()),
            _ => {}
        }
        match hint {
            b'.' => {
                if let Some(v) = parse_num(src) {
                    return Ok(v);
                }
            }
            b'D' | b'S' => {
                if tag.is_empty() || tag == "!!timestamp" {
                    if let Some(t) = yaml_timestamp(src) {
                        return Ok(Value::string(t));
                    }
                }
                let plain = src.replace('_', "");
                if let Some(v) = parse_num(&plain) {
                    return Ok(v);
                }
                if tag.is_empty() {
                    if let Some(v) = go_parse_int(&plain) {
                        return Ok(v);
                    }
                }
            }
            _ => {}
        }
    }
    match tag {
        "!!str" => Ok(Value::string(src)),
        "!!binary" => {
            go_b64_decode(src).map_err(|_| {
                format!(
                    "cannot parse {src:?} as {}: not valid base64",
                    long_tag(tag)
                )
            })?;
            Ok(Value::string(src))
        }
        "!!bool" => match src {
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
                Ok(Value::bool(true))
            }
            "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off"
            | "OFF" => Ok(Value::bool(false)),
            _ => Err(format!("cannot parse {src:?} as {}", long_tag(tag))),
        },
        "!!int" | "!!float" => {
            let plain = src.replace('_', "");
            parse_num(&plain)
                .or_else(|| go_parse_int(&plain))
                .ok_or_else(|| format!("cannot parse {src:?} as {}", long_tag(tag)))
        }
        "!!timestamp" => yaml_timestamp(src)
            .map(Value::string)
            .ok_or_else(|| format!("cannot parse {src:?} as {}", long_tag(tag))),
        "!!null" => Ok(Value::null()),
        _ => Ok(Value::string(src)),
    }
}

fn long_tag(t: &str) -> String {
    match t.strip_prefix("!!") {
        Some(s) => format!("tag:yaml.org,2002:{s}"),
        None => t.to_string(),
    }
}

struct YamlDecoder<'a> {
    parser: yaml_rust2::parser::Parser<std::str::Chars<'a>>,
    anchors: HashMap<usize, Value>,
    pending: std::collections::HashSet<usize>,
}

type YEvent = (yaml_rust2::parser::Event, yaml_rust2::scanner::Marker);

impl YamlDecoder<'_> {
    fn next(&mut self) -> Result<YEvent, FnError> {
        self.parser
            .next_token()
            .map_err(|e| yaml_err(e.marker(), e.info()))
    }

    fn value(&mut self, ev: YEvent) -> Result<Value, FnError> {
        use yaml_rust2::parser::Event;
        use yaml_rust2::scanner::TScalarStyle;
        let (ev, mark) = ev;
        match ev {
            Event::Scalar(s, style, anchor, tag) => {
                let v = resolve_scalar(&short_tag(&tag), &s, style == TScalarStyle::Plain)
                    .map_err(|m| yaml_err(&mark, &m))?;
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::Alias(id) => {
                if self.pending.contains(&id) {
                    return Err(yaml_err(
                        &mark,
                        "cannot refer to anchor from inside its own definition",
                    ));
                }
                self.anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| yaml_err(&mark, "reference to undefined anchor"))
            }
            Event::SequenceStart(anchor, tag) => {
                let t = short_tag(&tag);
                if !t.is_empty() && t != "!!seq" {
                    return Err(yaml_err(
                        &mark,
                        &format!("can't interpret sequence as {}", long_tag(&t)),
                    ));
                }
                self.pending.insert(anchor);
                let mut items = vec![];
                loop {
                    let ev = self.next()?;
                    if matches!(ev.0, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.value(ev)?);
                }
                self.pending.remove(&anchor);
                let v = Value::tuple(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::MappingStart(anchor, tag) => {
                let t = short_tag(&tag);
                if !t.is_empty() && t != "!!map" {
                    return Err(yaml_err(
                        &mark,
                        &format!("can't interpret mapping as {}", long_tag(&t)),
                    ));
                }
                self.pending.insert(anchor);
                let mut m = BTreeMap::new();
                loop {
                    let (kev, kmark) = self.next()?;
                    let key = match kev {
                        Event::MappingEnd => break,
                        Event::Scalar(s, style, _, tag) => {
                            let k =
                                resolve_scalar(&short_tag(&tag), &s, style == TScalarStyle::Plain)
                                    .map_err(FnError::msg)?;
                            if k.is_null() {
                                return Err(yaml_err(&kmark, "mapping key cannot be null"));
                            }
                            match &k.kind {
                                Kind::String(s) => s.clone(),
                                Kind::Bool(b) => b.to_string(),
                                Kind::Number(n) => n.to_string(),
                                _ => {
                                    return Err(FnError::msg(
                                        "only strings are allowed as mapping keys",
                                    ))
                                }
                            }
                        }
                        _ => return Err(FnError::msg("only strings are allowed as mapping keys")),
                    };
                    let ev = self.next()?;
                    let v = self.value(ev)?;
                    m.insert(key, v);
                }
                self.pending.remove(&anchor);
                let v = Value::object(m);
                if anchor > 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::StreamEnd => Err(yaml_err(&mark, "expecting value but found end of stream")),
            Event::DocumentStart => Err(yaml_err(&mark, "only a single document is allowed")),
            _ => Err(yaml_err(&mark, "unexpected parser event")),
        }
    }
}

fn yamldecode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    use yaml_rust2::parser::Event;
    let src = str_arg(&a, 0);
    let src = if src.is_empty() { "\n" } else { src };
    let mut d = YamlDecoder {
        parser: yaml_rust2::parser::Parser::new_from_str(src),
        anchors: HashMap::new(),
        pending: Default::default(),
    };
    let (ev, mark) = d.next()?;
    if !matches!(ev, Event::StreamStart) {
        return Err(yaml_err(&mark, "missing stream start token"));
    }
    let (ev, mark) = d.next()?;
    if !matches!(ev, Event::DocumentStart) {
        return Err(yaml_err(&mark, "missing start of document"));
    }
    let ev = d.next()?;
    let v = d.value(ev)?;
    let (ev, mark) = d.next()?;
    match ev {
        Event::DocumentEnd => {}
        Event::DocumentStart => return Err(yaml_err(&mark, "only a single document is allowed")),
        _ => return Err(yaml_err(&mark, "unexpected extra content after value")),
    }
    let (ev, mark) = d.next()?;
    if !matches!(ev, Event::StreamEnd) {
        return Err(yaml_err(&mark, "unexpected extra content after value"));
    }
    Ok(v)
}

// ---- YAML encoding: go-yaml's (libyaml's) block-style emitter ----

struct Emitter {
    out: String,
    column: usize,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

#[derive(Default)]
struct ScalarAnalysis {
    multiline: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn analyze(s: &str) -> ScalarAnalysis {
    let chars: Vec<char> = s.chars().collect();
    let mut a = ScalarAnalysis {
        multiline: false,
        block_allowed: true,
    };
    let (mut prev_space, mut prev_break) = (false, false);
    let (mut trailing_space, mut space_break, mut special) = (false, false, false);
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i + 1 == n {
                trailing_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            a.multiline = true;
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
    }
    let _ = prev_break;
    if trailing_space || space_break || special {
        a.block_allowed = false;
    }
    a
}

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::new(),
            column: 0,
            indent: -1,
            indents: vec![],
            whitespace: true,
            indention: true,
            open_ended: false,
        }
    }
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }
    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }
    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    /// Emit a node. `ctx`: 0 root, 1 sequence item, 2 mapping value, 3 simple key.
    fn node(&mut self, v: &Value, root: bool, mapping_ctx: bool, simple_key: bool) {
        match &v.kind {
            Kind::List(_, items) | Kind::Set(_, items) | Kind::Tuple(items) => {
                if items.is_empty() {
                    self.write_indicator("[", true, true, false);
                    self.write_indicator("]", false, false, false);
                    return;
                }
                let indentless = mapping_ctx && !self.indention;
                self.increase_indent(false, indentless);
                for x in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(x, false, false, false);
                }
                self.pop_indent();
            }
            Kind::Map(_, m) | Kind::Object(m) => {
                if m.is_empty() {
                    self.write_indicator("{", true, true, false);
                    self.write_indicator("}", false, false, false);
                    return;
                }
                self.increase_indent(false, false);
                for (k, x) in m {
                    self.write_indent();
                    let an = analyze(k);
                    if !an.multiline && k.len() <= 128 {
                        self.scalar(k, Style::Double, false, true);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        let style = if k.contains('\n') {
                            Style::Literal
                        } else {
                            Style::Double
                        };
                        self.scalar(k, style, false, false);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(x, false, true, false);
                }
                self.pop_indent();
            }
            Kind::String(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else {
                    Style::Double
                };
                self.scalar(s, style, root, simple_key);
            }
            Kind::Number(n) => self.scalar(&n.to_string(), Style::Plain, root, simple_key),
            Kind::Bool(b) => self.scalar(
                if *b { "true" } else { "false" },
                Style::Plain,
                root,
                simple_key,
            ),
            Kind::Null(_) | Kind::Unknown(_) => self.scalar("null", Style::Plain, root, simple_key),
        }
    }

    fn scalar(&mut self, s: &str, style: Style, root: bool, simple_key: bool) {
        let an = analyze(s);
        let mut style = style;
        if simple_key && an.multiline {
            style = Style::Double;
        }
        if style == Style::Literal && (!an.block_allowed || simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => {
                if !self.whitespace {
                    self.put(' ');
                }
                for c in s.chars() {
                    self.put(c);
                }
                self.whitespace = false;
                self.indention = false;
                if root {
                    self.open_ended = true;
                }
            }
            Style::Double => self.double_quoted(s, !simple_key),
            Style::Literal => self.literal(s),
        }
        self.pop_indent();
    }

    fn double_quoted(&mut self, s: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\x07' => self.put('a'),
                    '\x08' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\x0b' => self.put('v'),
                    '\x0c' => self.put('f'),
                    '\r' => self.put('r'),
                    '\x1b' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let u = c as u32;
                        let (p, w) = if u <= 0xff {
                            ('x', 2)
                        } else if u <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(p);
                        for ch in format!("{u:0w$X}", w = w).chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            i += 1;
        }
        self.write_indicator("\"", false, false, false);
    }

    fn literal(&mut self, s: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints.
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.put(char::from_digit(BEST_INDENT as u32, 10).unwrap());
        }
        self.open_ended = false;
        match chars.last() {
            None => self.put('-'),
            Some(c) if !is_break(*c) => self.put('-'),
            Some(_) if chars.len() == 1 || is_break(chars[chars.len() - 2]) => {
                self.put('+');
                self.open_ended = true;
            }
            _ => {}
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    breaks = false;
                }
                self.put(c);
                self.indention = false;
            }
        }
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Style {
    Plain,
    Double,
    Literal,
}

/// Encode a value as YAML exactly as Terraform's `yamlencode` does.
pub fn yaml_encode(v: &Value) -> String {
    let mut e = Emitter::new();
    e.node(v, true, false, false);
    // Document end: implicit, so only a final line break.
    e.indent = -1;
    e.write_indent();
    if e.open_ended
        && matches!(
            v.kind,
            Kind::Null(_) | Kind::Unknown(_) | Kind::Number(_) | Kind::Bool(_)
        )
    {
        e.out.push_str("...\n");
    }
    e.out
}

fn yamlencode(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(yaml_encode(&a[0])))
}

#[cfg(test)]
mod tests {
    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::to_json_string;
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn cs(name: &str, args: Vec<Value>) -> String {
        c(name, args).unwrap().as_str().unwrap().to_string()
    }
    fn js(v: &Value) -> String {
        to_json_string(v)
    }
    fn jd(x: &str) -> Value {
        c("jsondecode", vec![s(x)]).unwrap()
    }

    #[test]
    fn base64() {
        assert_eq!(cs("base64encode", vec![s("terraform")]), "dGVycmFmb3Jt");
        assert_eq!(cs("base64encode", vec![s("héllo ☃")]), "aMOpbGxvIOKYgw==");
        assert_eq!(cs("base64encode", vec![s("")]), "");
        assert_eq!(
            cs("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
            "Hello World"
        );
        assert!(c("base64decode", vec![s("SGVsbG8gV29ybGQ")]).is_err());
        assert!(c("base64decode", vec![s("/w==")]).is_err()); // not UTF-8
        let r = c("base64decode", vec![s("dGY=").mark(true)]).unwrap();
        assert!(r.sensitive);
        let r = c("base64decode", vec![Value::unknown(Type::String)]).unwrap();
        assert!(!r.is_known());
    }

    #[test]
    fn gzip_matches_go() {
        assert_eq!(
            cs("base64gzip", vec![s("terraform")]),
            "H4sIAAAAAAAA/ypJLSpKTMsvygUAAAD//wEAAP//zjnOOQkAAAA="
        );
        assert_eq!(
            cs("base64gzip", vec![s("hello world")]),
            "H4sIAAAAAAAA/8pIzcnJVyjPL8pJAQAAAP//AQAA//+FEUoNCwAAAA=="
        );
        assert_eq!(
            cs("base64gzip", vec![s("")]),
            "H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA=="
        );
    }

    #[test]
    fn gzip_matches_go_longer() {
        assert_eq!(
            cs(
                "base64gzip",
                vec![s("#!/bin/bash\necho \"hello\" > /tmp/x\n")]
            ),
            "H4sIAAAAAAAA/1JW1E/KzNNPSizO4EpNzshXUMpIzcnJV1KwU9AvyS3Qr+ACAAAA//8BAAD//50gapgiAAAA"
        );
    }

    #[test]
    fn csv_quote_error() {
        let e = c("csvdecode", vec![s("a,b\n1,\"x\"y\n")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parse error on line 2, column 4: extraneous or missing \" in quoted-field"
        );
        let e = c("csvdecode", vec![s("a\nx\"y\n")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parse error on line 2, column 1: bare \" in non-quoted-field"
        );
        let r = c("csvdecode", vec![s("a\n\"open")]).unwrap();
        assert_eq!(js(&r), r#"[{"a":"open"}]"#);
    }

    #[test]
    fn csv() {
        let r = c("csvdecode", vec![s("a,b,c\n1,2,3\n4,5,6")]).unwrap();
        assert_eq!(
            js(&r),
            r#"[{"a":"1","b":"2","c":"3"},{"a":"4","b":"5","c":"6"}]"#
        );
        let r = c(
            "csvdecode",
            vec![s("name,desc\n\"Smith, J\",\"says \"\"hi\"\"\"\nx,\n")],
        )
        .unwrap();
        assert_eq!(
            js(&r),
            r#"[{"desc":"says \"hi\"","name":"Smith, J"},{"desc":"","name":"x"}]"#
        );
        let r = c("csvdecode", vec![s("a,b\n")]).unwrap();
        assert_eq!(js(&r), "[]");
        assert!(matches!(r.ty(), Type::List(_)));
        let e = c("csvdecode", vec![s("a,b\n1\n")]).unwrap_err();
        assert_eq!(e.to_string(), "record on line 2: wrong number of fields");
        assert_eq!(
            c("csvdecode", vec![s("")]).unwrap_err().to_string(),
            "missing header line"
        );
        assert!(c("csvdecode", vec![s("a,a\n1,2")]).is_err());
        assert!(c("csvdecode", vec![s("a\nx\"y\n")]).is_err());
    }

    #[test]
    fn json() {
        assert_eq!(
            cs("jsonencode", vec![jd(r#"{"z":[true]}"#)]),
            r#"{"z":[true]}"#
        );
        assert_eq!(
            cs("jsonencode", vec![s("<a&b>")]),
            r#""\u003ca\u0026b\u003e""#
        );
        assert_eq!(cs("jsonencode", vec![Value::null()]), "null");
        let v = jd(r#"[1, "a", null, {"k": 1.5}]"#);
        assert_eq!(js(&v), r#"[1,"a",null,{"k":1.5}]"#);
        assert!(c("jsondecode", vec![s("{")]).is_err());
        assert!(c("jsondecode", vec![s("")]).is_err());
        let r = c("jsonencode", vec![Value::unknown(Type::String)]).unwrap();
        assert!(!r.is_known());
    }

    #[test]
    fn text_encodings() {
        assert_eq!(
            cs("textencodebase64", vec![s("tf"), s("UTF-16LE")]),
            "dABmAA=="
        );
        assert_eq!(
            cs("textencodebase64", vec![s("Hello World"), s("UTF-16LE")]),
            "SABlAGwAbABvACAAVwBvAHIAbABkAA=="
        );
        assert_eq!(
            cs("textencodebase64", vec![s("héllo"), s("UTF-8")]),
            "aMOpbGxv"
        );
        assert_eq!(
            cs("textencodebase64", vec![s("héllo"), s("ISO-8859-1")]),
            "aOlsbG8="
        );
        assert_eq!(
            cs("textdecodebase64", vec![s("dABmAA=="), s("UTF-16LE")]),
            "tf"
        );
        assert_eq!(
            cs("textdecodebase64", vec![s("aOlsbG8="), s("ISO-8859-1")]),
            "héllo"
        );
        let enc = cs("textencodebase64", vec![s("ñandú ☃"), s("UTF-16BE")]);
        assert_eq!(
            cs("textdecodebase64", vec![s(&enc), s("UTF-16BE")]),
            "ñandú ☃"
        );
        assert!(matches!(
            c("textencodebase64", vec![s("x"), s("NOPE")]),
            Err(FnError::Arg { index: 1, .. })
        ));
        assert!(matches!(
            c("textencodebase64", vec![s("☃"), s("ISO-8859-1")]),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert!(c("textdecodebase64", vec![s("a!"), s("UTF-8")]).is_err());
    }

    #[test]
    fn url() {
        assert_eq!(cs("urlencode", vec![s("a b&c")]), "a+b%26c");
        assert_eq!(
            cs("urlencode", vec![s("a=b&c d/é?~_-.!*'()")]),
            "a%3Db%26c+d%2F%C3%A9%3F~_-.%21%2A%27%28%29"
        );
    }

    #[test]
    fn yaml_decode() {
        let y = |x: &str| c("yamldecode", vec![s(x)]);
        assert_eq!(js(&y("k: [1, 2]").unwrap()), r#"{"k":[1,2]}"#);
        assert_eq!(js(&y("a: 'yes'").unwrap()), r#"{"a":"yes"}"#);
        assert_eq!(js(&y("a: yes").unwrap()), r#"{"a":true}"#);
        assert_eq!(js(&y("a: \"123\"").unwrap()), r#"{"a":"123"}"#);
        assert!(y("~").unwrap().is_null());
        assert!(y("").is_err());
        assert_eq!(
            js(
                &y("- 0x1F\n- 0o17\n- 017\n- 1_000\n- .5\n- +1\n- 2001-12-14\n- 1e3\n- 0b101")
                    .unwrap()
            ),
            r#"[31,15,17,1000,0.5,1,"2001-12-14T00:00:00Z",1000,"0b101"]"#
        );
        assert_eq!(
            js(&y("a: &x [1,2]\nb: *x").unwrap()),
            r#"{"a":[1,2],"b":[1,2]}"#
        );
        assert_eq!(
            js(&y("1: a\ntrue: b\n2.5: c").unwrap()),
            r#"{"1":"a","2.5":"c","true":"b"}"#
        );
        assert_eq!(
            js(&y("a: !!str 1\nb: !!binary aGk=").unwrap()),
            r#"{"a":"1","b":"aGk="}"#
        );
        assert_eq!(
            js(&y("a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14 21:59:43.10").unwrap()),
            r#"{"a":"2001-12-14T21:59:43-05:00","b":"2001-12-14T21:59:43Z"}"#
        );
        assert_eq!(js(&y("a: |\n  x\n  y\n").unwrap()), r#"{"a":"x\ny\n"}"#);
        assert!(y("a: 1\n---\nb: 2\n").is_err());
        assert!(y("a: [1, 2").is_err());
        assert!(y("? [1]\n: 2").is_err());
        assert_eq!(
            js(&y("a:\n  - 1\n  - x\nb: {c: d}\n").unwrap()),
            r#"{"a":[1,"x"],"b":{"c":"d"}}"#
        );
    }

    #[test]
    fn yaml_encode() {
        let y = |x: &str| cs("yamlencode", vec![jd(x)]);
        assert_eq!(y(r#"{"k":[1,2]}"#), "\"k\":\n- 1\n- 2\n");
        assert_eq!(
            y(r#"{"a":"","b":"yes","c":"123","f":"multi\nline","g":"a'b","h":"é","i":null,"j":true,"k":{},"l":[],"m":[{"x":1,"y":[2]}]}"#),
            "\"a\": \"\"\n\"b\": \"yes\"\n\"c\": \"123\"\n\"f\": |-\n  multi\n  line\n\"g\": \"a'b\"\n\"h\": \"é\"\n\"i\": null\n\"j\": true\n\"k\": {}\n\"l\": []\n\"m\":\n- \"x\": 1\n  \"y\":\n  - 2\n"
        );
        assert_eq!(y(r#""plain""#), "\"plain\"\n");
        assert_eq!(y(r#""a\n\n""#), "|+\n  a\n\n");
        assert_eq!(y(r#"{"a":"x\n\n"}"#), "\"a\": |+\n  x\n\n");
        assert_eq!(
            y(r#"["  lead\nx", "tab\there\nx", "trail \nx", "\nleadbreak"]"#),
            "- |2-\n    lead\n  x\n- \"tab\\there\\nx\"\n- \"trail \\nx\"\n- |2-\n\n  leadbreak\n"
        );
        assert_eq!(
            y(r#""this is a very long string with many words that should exceed the best width of eighty characters for sure yes""#),
            "\"this is a very long string with many words that should exceed the best width of eighty\n  characters for sure yes\"\n"
        );
        assert_eq!(
            y(r#"{"k":"this is a very long string with many words that should exceed the best width of eighty characters for sure yes"}"#),
            "\"k\": \"this is a very long string with many words that should exceed the best width\n  of eighty characters for sure yes\"\n"
        );
        assert_eq!(y(r#"{"multi\nkey":1}"#), "? |-\n  multi\n  key\n: 1\n");
        assert_eq!(
            y(r#"["\u0085x", "\u2028", "😀", "\u00a0", "a\rb", "\u0007", "\u00ff"]"#),
            "- \"\\Nx\"\n- \"\\L\"\n- \"\\U0001F600\"\n- \"\u{a0}\"\n- \"a\\rb\"\n- \"\\a\"\n- \"ÿ\"\n"
        );
        assert_eq!(
            y(r#"[[1,2],[[3]],{"a":{"b":1}}, [{}], {"x":[[]]}]"#),
            "- - 1\n  - 2\n- - - 3\n- \"a\":\n    \"b\": 1\n- - {}\n- \"x\":\n  - []\n"
        );
        assert_eq!(y("null"), "null\n...\n");
        assert_eq!(y("true"), "true\n...\n");
        assert_eq!(y("1.5"), "1.5\n...\n");
        assert_eq!(
            y(r#"[1, 1.5, -0.25, 1e3, 10000000000000000]"#),
            "- 1\n- 1.5\n- -0.25\n- 1000\n- 10000000000000000\n"
        );
        assert_eq!(
            y(r#"{"s":"with: colon","t":"  leading","u":"trailing  ","v":"null","w":"~"}"#),
            "\"s\": \"with: colon\"\n\"t\": \"  leading\"\n\"u\": \"trailing  \"\n\"v\": \"null\"\n\"w\": \"~\"\n"
        );
        let r = c("yamlencode", vec![s("x").mark(true)]).unwrap();
        assert!(r.sensitive);
    }
}

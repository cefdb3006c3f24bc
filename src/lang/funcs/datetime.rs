//! Built-in functions: date and time (`formatdate`, `timeadd`, `timecmp`,
//! `timestamp`, `plantimestamp`), following Go's `time` package semantics.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};

use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    r.add(Func::new(
        "formatdate",
        vec![
            Param::new("format", Type::String),
            Param::new("time", Type::String),
        ],
        Type::String,
        formatdate,
    ));
    r.add(Func::new(
        "timeadd",
        vec![
            Param::new("timestamp", Type::String),
            Param::new("duration", Type::String),
        ],
        Type::String,
        timeadd,
    ));
    r.add(Func::new(
        "timecmp",
        vec![
            Param::new("timestamp_a", Type::String),
            Param::new("timestamp_b", Type::String),
        ],
        Type::Number,
        timecmp,
    ));
    r.add(Func::new("timestamp", vec![], Type::String, timestamp).impure());
    r.add(Func::new("plantimestamp", vec![], Type::String, plantimestamp).impure());
}

fn str_arg(a: &[Value], i: usize) -> &str {
    a[i].as_str().unwrap_or_default()
}

const PFX: &str = "not a valid RFC3339 timestamp";

fn elem_err(what: &str, rest: &[u8]) -> String {
    if rest.is_empty() {
        format!("{PFX}: end of string before {what}")
    } else {
        format!(
            "{PFX}: cannot use {:?} as {what}",
            String::from_utf8_lossy(rest)
        )
    }
}

fn lit_err(lit: &str, rest: &[u8]) -> String {
    if lit == "T" {
        return format!("{PFX}: missing required time introducer 'T'");
    }
    if rest.is_empty() {
        format!("{PFX}: end of string where {lit:?} is expected")
    } else {
        format!(
            "{PFX}: found {:?} where {lit:?} is expected",
            String::from_utf8_lossy(rest)
        )
    }
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    if v.is_empty() || !v[0].is_ascii_digit() {
        return None;
    }
    if v.len() < 2 || !v[1].is_ascii_digit() {
        if fixed {
            return None;
        }
        return Some(((v[0] - b'0') as u32, &v[1..]));
    }
    Some((((v[0] - b'0') * 10 + (v[1] - b'0')) as u32, &v[2..]))
}

fn expect<'a>(v: &'a [u8], lit: &str) -> Result<&'a [u8], String> {
    if v.first() == Some(&lit.as_bytes()[0]) {
        Ok(&v[1..])
    } else {
        Err(lit_err(lit, v))
    }
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => 31,
    }
}

/// Parse the fractional seconds after the seconds field, if any.
fn frac(v: &[u8]) -> (u32, &[u8]) {
    if v.len() >= 2 && (v[0] == b'.' || v[0] == b',') && v[1].is_ascii_digit() {
        let mut n = 1;
        while n < v.len() && v[n].is_ascii_digit() {
            n += 1;
        }
        let digits = &v[1..n.min(10)];
        let mut ns: u32 = 0;
        for (i, d) in digits.iter().enumerate().take(9) {
            ns += (d - b'0') as u32 * 10u32.pow(8 - i as u32);
        }
        (ns, &v[n..])
    } else {
        (0, v)
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    year: i32,
    month: u32,
    day: u32,
    h: u32,
    m: u32,
    s: u32,
    ns: u32,
    off: i32,
) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(off)?;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(h, m, s, ns)?;
    tz.from_local_datetime(&naive).single()
}

/// Parse an RFC 3339 timestamp exactly as Go's `time.Parse(time.RFC3339, ..)`
/// does, with Terraform's error messages.
pub fn parse_timestamp(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let v = s.as_bytes();
    if v.len() < 4 || !v[..4].iter().all(|b| b.is_ascii_digit()) {
        return Err(elem_err("year", v));
    }
    let year: i32 = std::str::from_utf8(&v[..4]).unwrap().parse().unwrap();
    let v = expect(&v[4..], "-")?;
    let (month, v) = getnum(v, true).ok_or_else(|| elem_err("month", v))?;
    if !(1..=12).contains(&month) {
        return Err(elem_err("month", v));
    }
    let v = expect(v, "-")?;
    let (day, v) = getnum(v, true).ok_or_else(|| elem_err("day of month", v))?;
    let v = expect(v, "T")?;
    let (hour, v) = getnum(v, false).ok_or_else(|| elem_err("hour", v))?;
    if hour >= 24 {
        return Err(elem_err("hour", v));
    }
    let v = expect(v, ":")?;
    let (min, v) = getnum(v, true).ok_or_else(|| elem_err("minute", v))?;
    if min >= 60 {
        return Err(elem_err("minute", v));
    }
    let v = expect(v, ":")?;
    let (sec, v) = getnum(v, true).ok_or_else(|| elem_err("second", v))?;
    if sec >= 60 {
        return Err(elem_err("second", v));
    }
    let (ns, v) = frac(v);
    let (off, v) = if v.first() == Some(&b'Z') {
        (0, &v[1..])
    } else {
        let bad = || elem_err("UTC offset", v);
        if v.len() < 6 || v[3] != b':' {
            return Err(bad());
        }
        let digits = |x: &[u8]| -> Option<i32> {
            if x.iter().all(|b| b.is_ascii_digit()) {
                std::str::from_utf8(x).ok()?.parse().ok()
            } else {
                None
            }
        };
        let hh = digits(&v[1..3]).ok_or_else(bad)?;
        let mm = digits(&v[4..6]).ok_or_else(bad)?;
        let sign = match v[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(bad()),
        };
        (sign * (hh * 3600 + mm * 60), &v[6..])
    };
    if !v.is_empty() {
        return Err(elem_err("timestamp segment", v));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(format!("{PFX}: day out of range"));
    }
    build(year, month, day, hour, min, sec, ns, off)
        .ok_or_else(|| format!("{PFX}: UTC offset out of range"))
}

/// The YAML timestamp forms that cty-yaml accepts (`2006-1-2T15:4:5.9Z07:00`,
/// `2006-1-2 15:4:5.9`, `2006-1-2`), formatted as RFC 3339.
pub(crate) fn parse_yaml_timestamp(s: &str) -> Option<String> {
    let v = s.as_bytes();
    if v.len() < 4 || !v[..4].iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = std::str::from_utf8(&v[..4]).ok()?.parse().ok()?;
    let v = v[4..].strip_prefix(b"-")?;
    let (month, v) = getnum(v, false)?;
    let v = v.strip_prefix(b"-")?;
    let (day, v) = getnum(v, false)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return None;
    }
    if v.is_empty() {
        return Some(format_rfc3339(&build(year, month, day, 0, 0, 0, 0, 0)?));
    }
    let (sep, v) = (v[0], &v[1..]);
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let (h, v) = getnum(v, false)?;
    let v = v.strip_prefix(b":")?;
    let (m, v) = getnum(v, false)?;
    let v = v.strip_prefix(b":")?;
    let (sec, v) = getnum(v, false)?;
    if h >= 24 || m >= 60 || sec >= 60 {
        return None;
    }
    let (ns, v) = if v.first() == Some(&b'.') {
        frac(v)
    } else {
        (0, v)
    };
    let off = if sep == b' ' {
        if !v.is_empty() {
            return None;
        }
        0
    } else if v == b"Z" {
        0
    } else {
        if v.len() != 6 || v[3] != b':' {
            return None;
        }
        let hh: i32 = std::str::from_utf8(&v[1..3]).ok()?.parse().ok()?;
        let mm: i32 = std::str::from_utf8(&v[4..6]).ok()?.parse().ok()?;
        match v[0] {
            b'+' => hh * 3600 + mm * 60,
            b'-' => -(hh * 3600 + mm * 60),
            _ => return None,
        }
    };
    Some(format_rfc3339(&build(
        year, month, day, h, m, sec, ns, off,
    )?))
}

fn offset_str(t: &DateTime<FixedOffset>, colon: bool, z: bool) -> String {
    let off = t.offset().local_minus_utc();
    if off == 0 && z {
        return "Z".into();
    }
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    if colon {
        format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
    } else {
        format!("{sign}{:02}{:02}", a / 3600, (a / 60) % 60)
    }
}

/// Go's `t.Format(time.RFC3339)`.
pub fn format_rfc3339(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_str(t, true, true)
    )
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let invalid = || format!("time: invalid duration {orig:?}");
    let mut s = s;
    let mut neg = false;
    if let Some(r) = s.strip_prefix('-') {
        neg = true;
        s = r;
    } else if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let il = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let int: u128 = if il > 0 {
            s[..il].parse::<u128>().map_err(|_| invalid())?
        } else {
            0
        };
        if int > i64::MAX as u128 {
            return Err(invalid());
        }
        s = &s[il..];
        let mut frac_num: u128 = 0;
        let mut frac_scale: u128 = 1;
        let mut fl = 0;
        if let Some(r) = s.strip_prefix('.') {
            s = r;
            fl = s.bytes().take_while(|c| c.is_ascii_digit()).count();
            for d in s[..fl].bytes() {
                if frac_scale < 1_000_000_000_000_000_000 {
                    frac_num = frac_num * 10 + (d - b'0') as u128;
                    frac_scale *= 10;
                }
            }
            s = &s[fl..];
        }
        if il == 0 && fl == 0 {
            return Err(invalid());
        }
        let ul = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        if ul == 0 {
            return Err(format!("time: missing unit in duration {orig:?}"));
        }
        let unit = &s[..ul];
        let mult: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {orig:?}")),
        };
        s = &s[ul..];
        let v = int.checked_mul(mult).ok_or_else(invalid)? + frac_num * mult / frac_scale;
        total += v;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(invalid());
        }
    }
    if neg {
        Ok((-(total as i128)) as i64)
    } else {
        Ok(total as i64)
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn verb_err(tok: &str, detail: &str) -> FnError {
    FnError::arg(0, format!("invalid date format verb {tok:?}: {detail}"))
}

fn formatdate(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let fmt = str_arg(&a, 0);
    let t = parse_timestamp(str_arg(&a, 1)).map_err(|e| FnError::arg(1, e))?;
    let b = fmt.as_bytes();
    let mut out: Vec<u8> = vec![];
    let mut i = 0;
    let is_verb = |c: u8| c.is_ascii_alphabetic();
    while i < b.len() {
        if b[i] == b'\'' {
            // Quoted literal; '' is an escaped quote.
            if b.get(i + 1) == Some(&b'\'') {
                out.push(b'\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut closed = false;
            while j < b.len() {
                if b[j] == b'\'' {
                    if b.get(j + 1) == Some(&b'\'') {
                        out.push(b'\'');
                        j += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                out.push(b[j]);
                j += 1;
            }
            if !closed {
                return Err(FnError::arg(0, "unterminated literal '"));
            }
            i = j + 1;
        } else if is_verb(b[i]) {
            let c = b[i];
            let mut j = i;
            while j < b.len() && b[j] == c {
                j += 1;
            }
            let tok = &fmt[i..j];
            let n = j - i;
            let s: String = match c {
                b'Y' => match n {
                    2 => format!("{:02}", t.year().rem_euclid(100)),
                    4 => format!("{:04}", t.year()),
                    _ => return Err(verb_err(tok, "year must either be \"YY\" or \"YYYY\"")),
                },
                b'M' => match n {
                    1 => t.month().to_string(),
                    2 => format!("{:02}", t.month()),
                    3 => MONTHS[t.month0() as usize][..3].to_string(),
                    4 => MONTHS[t.month0() as usize].to_string(),
                    _ => {
                        return Err(verb_err(
                            tok,
                            "month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"",
                        ))
                    }
                },
                b'D' => match n {
                    1 => t.day().to_string(),
                    2 => format!("{:02}", t.day()),
                    _ => return Err(verb_err(tok, "day of month must either be \"D\" or \"DD\"")),
                },
                b'E' => {
                    let d = DAYS[t.weekday().num_days_from_monday() as usize];
                    match n {
                        3 => d[..3].to_string(),
                        4 => d.to_string(),
                        _ => {
                            return Err(verb_err(
                                tok,
                                "day of week must either be \"EEE\" or \"EEEE\"",
                            ))
                        }
                    }
                }
                b'h' => match n {
                    1 => t.hour().to_string(),
                    2 => format!("{:02}", t.hour()),
                    _ => return Err(verb_err(tok, "24-hour must either be \"h\" or \"hh\"")),
                },
                b'H' => {
                    let h = match t.hour() % 12 {
                        0 => 12,
                        h => h,
                    };
                    match n {
                        1 => h.to_string(),
                        2 => format!("{h:02}"),
                        _ => return Err(verb_err(tok, "12-hour must either be \"H\" or \"HH\"")),
                    }
                }
                b'A' | b'a' => {
                    if n != 2 {
                        let l = c as char;
                        return Err(verb_err(tok, &format!("must be \"{l}{l}\"")));
                    }
                    let pm = t.hour() >= 12;
                    match (c == b'A', pm) {
                        (true, false) => "AM",
                        (true, true) => "PM",
                        (false, false) => "am",
                        (false, true) => "pm",
                    }
                    .to_string()
                }
                b'm' => match n {
                    1 => t.minute().to_string(),
                    2 => format!("{:02}", t.minute()),
                    _ => return Err(verb_err(tok, "minute must either be \"m\" or \"mm\"")),
                },
                b's' => match n {
                    1 => t.second().to_string(),
                    2 => format!("{:02}", t.second()),
                    _ => return Err(verb_err(tok, "second must either be \"s\" or \"ss\"")),
                },
                b'Z' => match n {
                    1 => offset_str(&t, true, true),
                    3 => {
                        let o = offset_str(&t, false, false);
                        if o == "+0000" {
                            "UTC".into()
                        } else {
                            o
                        }
                    }
                    4 => offset_str(&t, false, false),
                    5 => offset_str(&t, true, false),
                    _ => return Err(verb_err(tok, "timezone must be Z, ZZZZ, or ZZZZZ")),
                },
                _ => return Err(FnError::arg(0, format!("invalid date format verb {tok:?}"))),
            };
            out.extend_from_slice(s.as_bytes());
            i = j;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(Value::string(String::from_utf8_lossy(&out).into_owned()))
}

fn timeadd(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = parse_timestamp(str_arg(&a, 0)).map_err(FnError::msg)?;
    let d = parse_duration(str_arg(&a, 1)).map_err(FnError::msg)?;
    let r = t
        .checked_add_signed(Duration::nanoseconds(d))
        .ok_or_else(|| FnError::msg("timestamp out of range"))?;
    Ok(Value::string(format_rfc3339(&r)))
}

fn timecmp(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let x = parse_timestamp(str_arg(&a, 0)).map_err(|e| FnError::arg(0, e))?;
    let y = parse_timestamp(str_arg(&a, 1)).map_err(|e| FnError::arg(1, e))?;
    Ok(Value::int(match x.cmp(&y) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn timestamp(_: &FnCtx, _: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ))
}

fn plantimestamp(ctx: &FnCtx, _: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(ctx.plan_timestamp.clone()))
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, parse_timestamp};
    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn fd(f: &str, t: &str) -> String {
        c("formatdate", vec![s(f), s(t)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn formatdate_verbs() {
        assert_eq!(
            fd("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"),
            "02 Jan 2018 23:12 UTC"
        );
        assert_eq!(
            fd("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"),
            "Tuesday, 02-Jan-18 23:12:01 UTC"
        );
        assert_eq!(
            fd(
                "EEE, DD MMM YYYY hh:mm:ss ZZZZ",
                "2018-01-02T23:12:01-08:00"
            ),
            "Tue, 02 Jan 2018 23:12:01 -0800"
        );
        assert_eq!(fd("MMM DD, YYYY", "2018-01-02T23:12:01Z"), "Jan 02, 2018");
        assert_eq!(fd("HH:mmaa", "2018-01-02T23:12:01Z"), "11:12pm");
        assert_eq!(fd("H:m:s AA", "2018-01-02T00:02:03Z"), "12:2:3 AM");
        assert_eq!(fd("M/D h", "2018-03-04T05:00:00Z"), "3/4 5");
        assert_eq!(fd("MMMM", "2018-03-04T05:00:00Z"), "March");
        assert_eq!(
            fd("Z ZZZZZ ZZZ", "2018-03-04T05:00:00+05:30"),
            "+05:30 +05:30 +0530"
        );
        assert_eq!(fd("Z", "2018-03-04T05:00:00Z"), "Z");
        assert_eq!(
            fd("'Date:' YYYY 'o''clock' ''", "2018-03-04T05:00:00Z"),
            "Date: 2018 o'clock '"
        );
        assert_eq!(
            fd("YYYY-MM-DD'T'hh:mm:ss.000", "2018-03-04T05:00:00.5Z"),
            "2018-03-04T05:00:00.000"
        );
        assert!(matches!(
            c("formatdate", vec![s("YYY"), s("2018-01-02T23:12:01Z")]),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert!(matches!(
            c("formatdate", vec![s("'abc"), s("2018-01-02T23:12:01Z")]),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert!(matches!(
            c("formatdate", vec![s("x"), s("2018-01-02T23:12:01Z")]),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert!(matches!(
            c("formatdate", vec![s("YYYY"), s("2018-01-02")]),
            Err(FnError::Arg { index: 1, .. })
        ));
        let r = c("formatdate", vec![s("YYYY"), Value::unknown(Type::String)]).unwrap();
        assert!(!r.is_known());
    }

    #[test]
    fn timestamp_errors() {
        assert_eq!(
            parse_timestamp("2017-11-22").unwrap_err(),
            "not a valid RFC3339 timestamp: missing required time introducer 'T'"
        );
        assert_eq!(
            parse_timestamp("2017/11/22T00:00:00Z").unwrap_err(),
            "not a valid RFC3339 timestamp: found \"/11/22T00:00:00Z\" where \"-\" is expected"
        );
        assert_eq!(
            parse_timestamp("2017-11-22T00:00:00").unwrap_err(),
            "not a valid RFC3339 timestamp: end of string before UTC offset"
        );
        assert_eq!(
            parse_timestamp("2017-02-30T00:00:00Z").unwrap_err(),
            "not a valid RFC3339 timestamp: day out of range"
        );
        assert_eq!(
            parse_timestamp("17-11-22T00:00:00Z").unwrap_err(),
            "not a valid RFC3339 timestamp: cannot use \"17-11-22T00:00:00Z\" as year"
        );
        assert!(parse_timestamp("2017-11-22T00:00:00Zjunk").is_err());
        assert!(parse_timestamp("2017-11-22T1:00:00Z").is_ok());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-10m").unwrap(), -600_000_000_000);
        assert_eq!(parse_duration("1.5h").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert_eq!(parse_duration("2µs").unwrap(), 2_000);
        assert_eq!(
            parse_duration("1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
        assert_eq!(
            parse_duration("1x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"1x\""
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
    }

    #[test]
    fn timeadd_and_cmp() {
        let ta = |t: &str, d: &str| {
            c("timeadd", vec![s(t), s(d)]).map(|v| v.as_str().unwrap().to_string())
        };
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "10m").unwrap(),
            "2017-11-22T00:10:00Z"
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "-1h30m").unwrap(),
            "2017-11-21T22:30:00Z"
        );
        assert_eq!(
            ta("2017-11-22T00:00:00+01:00", "1.5h").unwrap(),
            "2017-11-22T01:30:00+01:00"
        );
        assert_eq!(
            ta("2017-11-22T00:00:00.9Z", "1s").unwrap(),
            "2017-11-22T00:00:01Z"
        );
        assert!(ta("2017-11-22", "1h").is_err());
        assert!(ta("2017-11-22T00:00:00Z", "1").is_err());
        let tc = |a: &str, b: &str| {
            c("timecmp", vec![s(a), s(b)]).map(|v| v.as_number().unwrap().to_i64().unwrap())
        };
        assert_eq!(
            tc("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z").unwrap(),
            0
        );
        assert_eq!(
            tc("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z").unwrap(),
            -1
        );
        assert_eq!(
            tc("2017-11-22T06:00:00+02:00", "2017-11-22T04:00:00Z").unwrap(),
            0
        );
        assert_eq!(
            tc("2017-11-23T00:00:00Z", "2017-11-22T01:00:00Z").unwrap(),
            1
        );
        assert!(matches!(
            c("timecmp", vec![s("x"), s("2017-11-22T00:00:00Z")]),
            Err(FnError::Arg { index: 0, .. })
        ));
        assert!(matches!(
            c("timecmp", vec![s("2017-11-22T00:00:00Z"), s("x")]),
            Err(FnError::Arg { index: 1, .. })
        ));
    }

    #[test]
    fn impure() {
        let r = c("timestamp", vec![]).unwrap();
        assert!(parse_timestamp(r.as_str().unwrap()).is_ok());
        let r = c("plantimestamp", vec![]).unwrap();
        assert_eq!(r.as_str(), Some("2000-01-01T00:00:00Z"));
        let ctx = FnCtx {
            allow_impure: false,
            ..FnCtx::default()
        };
        assert!(!call(&ctx, "timestamp", vec![]).unwrap().is_known());
    }
}

//! Built-in functions: IP network (`cidrhost`, `cidrnetmask`, `cidrsubnet`,
//! `cidrsubnets`), following Terraform's go-cidr based implementation.

use std::net::{Ipv4Addr, Ipv6Addr};

use num_bigint::{BigInt, Sign};
use num_traits::{ToPrimitive, Zero};

use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    r.add(Func::new(
        "cidrhost",
        vec![
            Param::new("prefix", Type::String),
            Param::new("hostnum", Type::Number),
        ],
        Type::String,
        cidrhost,
    ));
    r.add(Func::new(
        "cidrnetmask",
        vec![Param::new("prefix", Type::String)],
        Type::String,
        cidrnetmask,
    ));
    r.add(Func::new(
        "cidrsubnet",
        vec![
            Param::new("prefix", Type::String),
            Param::new("newbits", Type::Number),
            Param::new("netnum", Type::Number),
        ],
        Type::String,
        cidrsubnet,
    ));
    r.add(
        Func::new(
            "cidrsubnets",
            vec![Param::new("prefix", Type::String)],
            Type::list(Type::String),
            cidrsubnets,
        )
        .variadic(Param::new("newbits", Type::Number)),
    );
}

/// A parsed network: address (as an integer), prefix length and address size.
#[derive(Clone, Copy, Debug)]
struct Net {
    ip: u128,
    prefix: u32,
    bits: u32,
}

fn mask(prefix: u32, bits: u32) -> u128 {
    let all: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if prefix == 0 {
        0
    } else if prefix >= bits {
        all
    } else {
        all & !((1u128 << (bits - prefix)) - 1)
    }
}

fn all_ones(bits: u32) -> u128 {
    mask(bits, bits)
}

/// IPv4 with Go 1.16 semantics (decimal fields, leading zeros allowed).
fn parse_v4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if n > 255 {
            return None;
        }
        v = (v << 8) | n;
    }
    Some(v)
}

fn parse_cidr(s: &str) -> Result<Net, String> {
    let bad = || format!("invalid CIDR expression: invalid CIDR address: {s}");
    let (addr, m) = s.split_once('/').ok_or_else(bad)?;
    let (ip, bits) = if let Some(v) = parse_v4(addr) {
        (v as u128, 32)
    } else if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        if addr.contains('%') {
            return Err(bad());
        }
        (u128::from(v6), 128)
    } else {
        return Err(bad());
    };
    if m.is_empty() || !m.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let prefix: u32 = m.parse().map_err(|_| bad())?;
    if prefix > bits {
        return Err(bad());
    }
    Ok(Net {
        ip: ip & mask(prefix, bits),
        prefix,
        bits,
    })
}

/// Go's `net.IP.String()`.
fn ip_string(ip: u128, bits: u32) -> String {
    if bits == 32 {
        return Ipv4Addr::from(ip as u32).to_string();
    }
    let a = Ipv6Addr::from(ip);
    if let Some(v4) = a.to_ipv4_mapped() {
        return v4.to_string();
    }
    let seg = a.segments();
    // RFC 5952: the longest run (>= 2) of zero groups becomes "::".
    let (mut best_start, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if seg[i] == 0 {
            let j = (i..8).find(|&k| seg[k] != 0).unwrap_or(8);
            if j - i > best_len && j - i >= 2 {
                best_start = i;
                best_len = j - i;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push_str("::");
            i += best_len;
            continue;
        }
        if !out.is_empty() && !out.ends_with(':') {
            out.push(':');
        }
        out.push_str(&format!("{:x}", seg[i]));
        i += 1;
    }
    out
}

fn net_string(ip: u128, prefix: u32, bits: u32) -> String {
    format!("{}/{}", ip_string(ip, bits), prefix)
}

fn big_arg(v: &Value, idx: usize) -> Result<BigInt, FnError> {
    let n = v
        .as_number()
        .ok_or_else(|| FnError::arg(idx, "number required"))?;
    if !n.is_integer() {
        return Err(FnError::arg(idx, "value must be a whole number"));
    }
    n.to_bigint()
        .ok_or_else(|| FnError::arg(idx, "value must be a whole number"))
}

fn int_arg(v: &Value, idx: usize) -> Result<i64, FnError> {
    big_arg(v, idx)?.to_i64().ok_or_else(|| {
        FnError::arg(
            idx,
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        )
    })
}

/// Go's `big.Int.Uint64()`: the low 64 bits of the magnitude.
fn low_u64(n: &BigInt) -> u64 {
    let digits = n.magnitude().to_u64_digits();
    digits.first().copied().unwrap_or(0)
}

fn cidrhost(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let num = big_arg(&a[1], 1)?;
    let net = parse_cidr(a[0].as_str().unwrap_or_default()).map_err(FnError::msg)?;
    let host_len = net.bits - net.prefix;
    let max_host: BigInt = (BigInt::from(1) << host_len) - 1;
    let mut num_u = BigInt::from(low_u64(&num) as i64);
    let mut num = num;
    if num.sign() == Sign::Minus {
        num_u = -num.clone() - 1;
        num = &max_host - &num_u;
    }
    if num_u > max_host {
        return Err(FnError::msg(format!(
            "prefix of {} does not accommodate a host numbered {}",
            net.prefix, num
        )));
    }
    let n = num.to_u128().unwrap_or(0) & all_ones(net.bits);
    Ok(Value::string(ip_string(net.ip | n, net.bits)))
}

fn cidrnetmask(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let s = a[0].as_str().unwrap_or_default();
    let net = parse_cidr(s).map_err(FnError::msg)?;
    if net.bits != 32 {
        return Err(FnError::msg(format!(
            "IPv6 addresses cannot have a netmask: {s}"
        )));
    }
    Ok(Value::string(ip_string(mask(net.prefix, 32), 32)))
}

fn cidrsubnet(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let newbits = int_arg(&a[1], 1)?;
    let num = big_arg(&a[2], 2)?;
    let net = parse_cidr(a[0].as_str().unwrap_or_default()).map_err(FnError::msg)?;
    let new_len = net.prefix as i64 + newbits;
    if new_len > net.bits as i64 {
        return Err(FnError::msg(format!(
            "insufficient address space to extend prefix of {} by {}",
            net.prefix, newbits
        )));
    }
    if newbits < 0 {
        return Err(FnError::arg(1, "must extend prefix by at least zero bits"));
    }
    let max: u64 = if newbits >= 64 {
        u64::MAX
    } else {
        (1u64 << newbits) - 1
    };
    if num.sign() == Sign::Minus || low_u64(&num) > max || num.bits() > 64 && newbits < 64 {
        return Err(FnError::msg(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        )));
    }
    let new_len = new_len as u32;
    let shift = net.bits - new_len;
    let n = if num.is_zero() {
        0
    } else {
        let shifted: BigInt = num << shift;
        shifted.to_u128().unwrap_or(0) & all_ones(net.bits)
    };
    Ok(Value::string(net_string(net.ip | n, new_len, net.bits)))
}

fn cidrsubnets(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let net = parse_cidr(a[0].as_str().unwrap_or_default()).map_err(|e| FnError::arg(0, e))?;
    if a.len() == 1 {
        return Ok(Value::list(Type::String, vec![]));
    }
    let bits = net.bits;
    let first = int_arg(&a[1], 1)? + net.prefix as i64;
    let first = first.clamp(0, bits as i64) as u32;
    let ones = all_ones(bits);
    // go-cidr's PreviousSubnet.
    let mut cur_ip = net.ip.wrapping_sub(1) & ones & mask(first, bits);
    let mut cur_len = first;
    let mut out = vec![];
    for (i, v) in a[1..].iter().enumerate() {
        let length = int_arg(v, i + 1)?;
        if length < 1 {
            return Err(FnError::arg(
                i + 1,
                "must extend prefix by at least one bit",
            ));
        }
        if length > 32 {
            return Err(FnError::arg(
                i + 1,
                "may not extend prefix by more than 32 bits",
            ));
        }
        let length = length as u32 + net.prefix;
        if length > bits {
            let proto = if bits == 32 { "IPv4" } else { "IPv6" };
            return Err(FnError::arg(
                i + 1,
                format!("would extend prefix to {length} bits, which is too long for an {proto} address"),
            ));
        }
        // go-cidr's NextSubnet.
        let cur_last = cur_ip | (ones & !mask(cur_len, bits));
        let sub = cur_last & mask(length, bits);
        let last = (sub | (ones & !mask(length, bits))).wrapping_add(1) & ones;
        let next = last & mask(length, bits);
        let rollover = last == 0;
        if rollover || (next & mask(net.prefix, bits)) != net.ip {
            return Err(FnError::arg(
                i + 1,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {}",
                    net_string(cur_ip, cur_len, bits)
                ),
            ));
        }
        cur_ip = next;
        cur_len = length;
        out.push(Value::string(net_string(cur_ip, cur_len, bits)));
    }
    Ok(Value::list(Type::String, out))
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
    fn n(i: i64) -> Value {
        Value::int(i)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn cs(name: &str, args: Vec<Value>) -> String {
        c(name, args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn host() {
        assert_eq!(
            cs("cidrhost", vec![s("192.168.0.0/24"), n(10)]),
            "192.168.0.10"
        );
        assert_eq!(
            cs("cidrhost", vec![s("10.12.112.0/20"), n(16)]),
            "10.12.112.16"
        );
        assert_eq!(
            cs("cidrhost", vec![s("10.12.112.0/20"), n(268)]),
            "10.12.113.12"
        );
        assert_eq!(
            cs("cidrhost", vec![s("10.12.112.0/20"), n(-1)]),
            "10.12.127.255"
        );
        assert_eq!(
            cs("cidrhost", vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34)]),
            "fd00:fd12:3456:7890::22"
        );
        assert_eq!(cs("cidrhost", vec![s("10.1.2.3/24"), n(5)]), "10.1.2.5");
        assert_eq!(cs("cidrhost", vec![s("10.1.2.3/24"), s("5")]), "10.1.2.5");
        let e = c("cidrhost", vec![s("10.0.0.0/30"), n(5)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "prefix of 30 does not accommodate a host numbered 5"
        );
        let e = c("cidrhost", vec![s("10.0.0.0/30"), n(-5)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "prefix of 30 does not accommodate a host numbered -1"
        );
        let e = c("cidrhost", vec![s("10.0.0.0/8 "), n(1)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0/8 "
        );
        let r = c("cidrhost", vec![Value::unknown(Type::String), n(1)]).unwrap();
        assert!(!r.is_known());
    }

    #[test]
    fn netmask() {
        assert_eq!(cs("cidrnetmask", vec![s("172.16.0.0/12")]), "255.240.0.0");
        assert_eq!(cs("cidrnetmask", vec![s("10.0.0.1/32")]), "255.255.255.255");
        assert_eq!(cs("cidrnetmask", vec![s("0.0.0.0/0")]), "0.0.0.0");
        assert_eq!(
            cs("cidrnetmask", vec![s("192.168.0.0/20")]),
            "255.255.240.0"
        );
        assert!(c("cidrnetmask", vec![s("fd00::/8")]).is_err());
        assert!(c("cidrnetmask", vec![s("10.0.0.0")]).is_err());
    }

    #[test]
    fn subnet() {
        assert_eq!(
            cs("cidrsubnet", vec![s("172.16.0.0/12"), n(4), n(2)]),
            "172.18.0.0/16"
        );
        assert_eq!(
            cs("cidrsubnet", vec![s("10.1.2.0/24"), n(4), n(15)]),
            "10.1.2.240/28"
        );
        assert_eq!(
            cs(
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16), n(162)]
            ),
            "fd00:fd12:3456:7800:a200::/72"
        );
        assert_eq!(
            cs("cidrsubnet", vec![s("10.0.0.0/8"), n(8), n(255)]),
            "10.255.0.0/16"
        );
        assert_eq!(
            cs("cidrsubnet", vec![s("192.168.0.0/16"), n(8), n(3)]),
            "192.168.3.0/24"
        );
        assert_eq!(
            cs("cidrsubnet", vec![s("10.0.0.0/16"), n(0), n(0)]),
            "10.0.0.0/16"
        );
        let e = c("cidrsubnet", vec![s("10.0.0.0/30"), n(4), n(0)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "insufficient address space to extend prefix of 30 by 4"
        );
        let e = c("cidrsubnet", vec![s("10.0.0.0/33"), n(8), n(1)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"
        );
        let e = c("cidrsubnet", vec![s("10.0.0.0/8"), n(2), n(4)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "prefix extension of 2 does not accommodate a subnet numbered 4"
        );
        let r = c("cidrsubnet", vec![s("10.0.0.0/8").mark(true), n(8), n(1)]).unwrap();
        assert!(r.sensitive);
    }

    #[test]
    fn subnets() {
        let j = |v: Vec<Value>| to_json_string(&c("cidrsubnets", v).unwrap());
        assert_eq!(
            j(vec![s("10.1.0.0/16"), n(4), n(4), n(8), n(4)]),
            r#"["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]"#
        );
        assert_eq!(
            j(vec![
                s("fd00:fd12:3456:7890::/56"),
                n(16),
                n(16),
                n(16),
                n(32)
            ]),
            r#"["fd00:fd12:3456:7800::/72","fd00:fd12:3456:7800:100::/72","fd00:fd12:3456:7800:200::/72","fd00:fd12:3456:7800:300::/88"]"#
        );
        assert_eq!(
            j(vec![s("10.0.0.0/8"), n(8), n(16), n(8)]),
            r#"["10.0.0.0/16","10.1.0.0/24","10.2.0.0/16"]"#
        );
        assert_eq!(
            j(vec![s("192.168.0.0/16"), n(8), n(4)]),
            r#"["192.168.0.0/24","192.168.16.0/20"]"#
        );
        assert_eq!(j(vec![s("10.0.0.0/8")]), "[]");
        assert!(matches!(
            c("cidrsubnets", vec![s("10.0.0.0/30"), n(1), n(1), n(1)]),
            Err(FnError::Arg { index: 3, .. })
        ));
        assert!(matches!(
            c("cidrsubnets", vec![s("10.0.0.0/8"), n(0)]),
            Err(FnError::Arg { index: 1, .. })
        ));
        assert!(matches!(
            c("cidrsubnets", vec![s("10.0.0.0/8"), n(33)]),
            Err(FnError::Arg { index: 1, .. })
        ));
        assert!(matches!(
            c("cidrsubnets", vec![s("10.0.0.0/30"), n(3)]),
            Err(FnError::Arg { index: 1, .. })
        ));
        assert!(matches!(
            c("cidrsubnets", vec![s("nope"), n(3)]),
            Err(FnError::Arg { index: 0, .. })
        ));
    }
}

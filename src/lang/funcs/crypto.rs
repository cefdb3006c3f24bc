//! Built-in functions: hashing and crypto (`md5`, `sha*`, `base64sha*`,
//! `bcrypt`, `uuid`, `uuidv5`) and their file variants (`filemd5`, ...).

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::encoding::b64;
use super::filesystem::read_file_bytes;
use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    let s = || vec![Param::new("str", Type::String)];
    let p = || vec![Param::new("path", Type::String)];
    r.add(Func::new("md5", s(), Type::String, |_, a| {
        Ok(hex_of::<Md5>(&a))
    }));
    r.add(Func::new("sha1", s(), Type::String, |_, a| {
        Ok(hex_of::<Sha1>(&a))
    }));
    r.add(Func::new("sha256", s(), Type::String, |_, a| {
        Ok(hex_of::<Sha256>(&a))
    }));
    r.add(Func::new("sha512", s(), Type::String, |_, a| {
        Ok(hex_of::<Sha512>(&a))
    }));
    r.add(Func::new("base64sha256", s(), Type::String, |_, a| {
        Ok(b64_of::<Sha256>(&a))
    }));
    r.add(Func::new("base64sha512", s(), Type::String, |_, a| {
        Ok(b64_of::<Sha512>(&a))
    }));
    r.add(Func::new("filemd5", p(), Type::String, |c, a| {
        file_hash::<Md5>(c, &a, false)
    }));
    r.add(Func::new("filesha1", p(), Type::String, |c, a| {
        file_hash::<Sha1>(c, &a, false)
    }));
    r.add(Func::new("filesha256", p(), Type::String, |c, a| {
        file_hash::<Sha256>(c, &a, false)
    }));
    r.add(Func::new("filesha512", p(), Type::String, |c, a| {
        file_hash::<Sha512>(c, &a, false)
    }));
    r.add(Func::new("filebase64sha256", p(), Type::String, |c, a| {
        file_hash::<Sha256>(c, &a, true)
    }));
    r.add(Func::new("filebase64sha512", p(), Type::String, |c, a| {
        file_hash::<Sha512>(c, &a, true)
    }));
    r.add(
        Func::new("bcrypt", s(), Type::String, bcrypt_fn)
            .variadic(Param::new("cost", Type::Number))
            .impure(),
    );
    r.add(Func::new("uuid", vec![], Type::String, uuid_fn).impure());
    r.add(Func::new(
        "uuidv5",
        vec![
            Param::new("namespace", Type::String),
            Param::new("name", Type::String),
        ],
        Type::String,
        uuidv5,
    ));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest<D: Digest>(data: &[u8]) -> Vec<u8> {
    D::digest(data).to_vec()
}

fn hex_of<D: Digest>(a: &[Value]) -> Value {
    Value::string(hex(&digest::<D>(
        a[0].as_str().unwrap_or_default().as_bytes(),
    )))
}

fn b64_of<D: Digest>(a: &[Value]) -> Value {
    Value::string(b64(&digest::<D>(
        a[0].as_str().unwrap_or_default().as_bytes(),
    )))
}

fn file_hash<D: Digest>(ctx: &FnCtx, a: &[Value], base64: bool) -> Result<Value, FnError> {
    let data = read_file_bytes(ctx, a[0].as_str().unwrap_or_default())?;
    let d = digest::<D>(&data);
    Ok(Value::string(if base64 { b64(&d) } else { hex(&d) }))
}

fn bcrypt_fn(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let mut cost: i64 = 10;
    if a.len() > 1 {
        let n = a[1]
            .as_number()
            .ok_or_else(|| FnError::arg(1, "number required"))?;
        cost = n
            .to_i64()
            .filter(|_| n.is_integer())
            .ok_or_else(|| FnError::arg(1, "value must be a whole number"))?;
    }
    if a.len() > 2 {
        return Err(FnError::msg("bcrypt() takes no more than two arguments"));
    }
    if cost < 4 {
        cost = 10;
    }
    if cost > 31 {
        return Err(FnError::msg(format!(
            "error occured generating password crypto/bcrypt: cost {cost} is outside allowed range (4,31)"
        )));
    }
    let input = a[0].as_str().unwrap_or_default().as_bytes();
    let input = &input[..input.len().min(72)];
    let h = bcrypt::hash_with_result(input, cost as u32)
        .map_err(|e| FnError::msg(format!("error occured generating password {e}")))?;
    Ok(Value::string(h.format_for_version(bcrypt::Version::TwoA)))
}

fn uuid_fn(_: &FnCtx, _: Vec<Value>) -> Result<Value, FnError> {
    Ok(Value::string(uuid::Uuid::new_v4().to_string()))
}

fn uuidv5(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let ns_s = a[0].as_str().unwrap_or_default();
    let ns = match ns_s {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        _ => {
            let len = ns_s.len();
            let ok_len = matches!(len, 32 | 36 | 38 | 45);
            let parsed = if ok_len {
                uuid::Uuid::parse_str(ns_s).ok()
            } else {
                None
            };
            match parsed {
                Some(u) => u,
                None => {
                    let why = if ok_len {
                        "invalid UUID format".to_string()
                    } else {
                        format!("invalid UUID length: {len}")
                    };
                    return Err(FnError::msg(format!(
                        "uuidv5() doesn't support namespace {ns_s} ({why})"
                    )));
                }
            }
        }
    };
    let name = a[1].as_str().unwrap_or_default();
    Ok(Value::string(
        uuid::Uuid::new_v5(&ns, name.as_bytes()).to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::lang::funcs::{call, FnCtx, FnError};
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

    #[test]
    fn hashes() {
        assert_eq!(
            cs("md5", vec![s("hello world")]),
            "5eb63bbbe01eeed093cb22bb8f5acdc3"
        );
        assert_eq!(cs("md5", vec![s("")]), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            cs("md5", vec![s("héllo ☃")]),
            "ef3e44ec264a71ab40ccc920b794ebae"
        );
        assert_eq!(
            cs("sha1", vec![s("hello world")]),
            "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"
        );
        assert_eq!(
            cs("sha256", vec![s("hello world")]),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(
            cs("sha512", vec![s("hello world")]),
            "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"
        );
        assert_eq!(
            cs("base64sha256", vec![s("hello world")]),
            "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
        );
        assert_eq!(
            cs("base64sha512", vec![s("terraform")]),
            "OHqDyv3Mqz4ps8uWNSZAraWT5F5ux6dZPyTzSZ1Z7jzRCAXT0ilr0cK81QTdCCML2uyNq2afh5ovm2umCbMUCw=="
        );
        assert_eq!(
            cs("md5", vec![Value::int(1)]),
            "c4ca4238a0b923820dcc509a6f75849b"
        );
        let r = c("sha1", vec![s("x").mark(true)]).unwrap();
        assert!(r.sensitive);
        assert!(!c("sha1", vec![Value::unknown(Type::String)])
            .unwrap()
            .is_known());
        assert!(c("sha1", vec![Value::null_of(Type::String)]).is_err());
    }

    #[test]
    fn uuids() {
        assert_eq!(
            cs("uuidv5", vec![s("dns"), s("www.terraform.io")]),
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6"
        );
        assert_eq!(
            cs("uuidv5", vec![s("url"), s("https://www.terraform.io/")]),
            "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"
        );
        assert_eq!(
            cs("uuidv5", vec![s("oid"), s("1.2.3.4")]),
            "67448b45-6d15-536b-bef7-8a78c3d10ac6"
        );
        assert_eq!(
            cs("uuidv5", vec![s("x500"), s("CN=Example Corp,C=US")]),
            "bb796dc8-82d3-5a18-acce-bf653b061ca7"
        );
        assert_eq!(
            cs(
                "uuidv5",
                vec![
                    s("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
                    s("www.terraform.io")
                ]
            ),
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6"
        );
        let e = c("uuidv5", vec![s("foo"), s("x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "uuidv5() doesn't support namespace foo (invalid UUID length: 3)"
        );
        let u = cs("uuid", vec![]);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let ctx = FnCtx {
            allow_impure: false,
            ..FnCtx::default()
        };
        assert!(!call(&ctx, "uuid", vec![]).unwrap().is_known());
    }

    #[test]
    fn bcrypt() {
        let h = cs("bcrypt", vec![s("hello"), Value::int(4)]);
        assert!(h.starts_with("$2a$04$"), "{h}");
        assert!(::bcrypt::verify("hello", &h).unwrap());
        let h = cs("bcrypt", vec![s("hello"), Value::int(1)]);
        assert!(h.starts_with("$2a$10$"));
        assert!(c("bcrypt", vec![s("hello"), Value::int(32)]).is_err());
        assert!(c("bcrypt", vec![s("hello"), Value::int(4), Value::int(4)]).is_err());
    }

    #[test]
    fn file_hashes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.txt"), "Hello from a file!\n").unwrap();
        std::fs::write(dir.path().join("bin"), [0u8, 1, 2, 0xff, 0xfe]).unwrap();
        let ctx = FnCtx {
            base_dir: dir.path().to_path_buf(),
            ..FnCtx::default()
        };
        let f =
            |n: &str, p: &str| call(&ctx, n, vec![s(p)]).map(|v| v.as_str().unwrap().to_string());
        assert_eq!(
            f("filemd5", "hello.txt").unwrap(),
            "dae7374cc22e1d349d650b9b506afb78"
        );
        assert_eq!(
            f("filesha1", "hello.txt").unwrap(),
            "b60689107ae5a76eba9f54b5dfeb8b3762e4b310"
        );
        assert_eq!(
            f("filesha256", "hello.txt").unwrap(),
            "ed4270617ec89fe90969ff745d8ac749767ff47d6c574f3e2b965eb367d3db39"
        );
        assert_eq!(
            f("filebase64sha256", "hello.txt").unwrap(),
            "7UJwYX7In+kJaf90XYrHSXZ/9H1sV08+K5Zes2fT2zk="
        );
        assert_eq!(
            f("filemd5", "bin").unwrap(),
            "38ec78bbc1a4d63eda25f474b99a54ef"
        );
        assert_eq!(
            f("filesha512", "hello.txt").unwrap(),
            cs("sha512", vec![s("Hello from a file!\n")])
        );
        assert_eq!(
            f("filebase64sha512", "hello.txt").unwrap(),
            cs("base64sha512", vec![s("Hello from a file!\n")])
        );
        assert!(f("filemd5", "missing.txt").is_err());
    }
}

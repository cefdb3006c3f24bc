//! Format and behaviour tests of state and plan encryption.
//!
//! Where each detail of OpenTofu's format was learned (github.com/opentofu/opentofu):
//! - envelope fields `meta`, `encrypted_data`, `encryption_version` = "v0",
//!   meta values as base64 of JSON (Go marshals `map[string][]byte` values
//!   as base64), compact JSON: internal/encryption/base.go (`basedata`,
//!   `encrypt`, `decrypt`)
//! - serial and lineage copied outside the ciphertext, and checked on read:
//!   internal/encryption/state.go; plans carry only the base fields:
//!   internal/encryption/plan.go
//! - the plain state handed to encryption is the indented JSON plus a newline:
//!   internal/states/statefile/version4.go (`writeStateV4`)
//! - meta key `key_provider.TYPE.NAME` or `encrypted_metadata_alias`:
//!   internal/encryption/keyprovider.go (`setupKeyProvider`),
//!   internal/encryption/keyprovider/addr.go
//! - pbkdf2 defaults sha512, 600000 iterations, 32-byte salt, 32-byte key;
//!   minimums 200000 iterations and 16-character passphrase; metadata
//!   `{salt, iterations, hash_function, key_length}`; the derivation
//!   `pbkdf2.Key(passphrase, salt, iterations, key_length, hash)`:
//!   internal/encryption/keyprovider/pbkdf2/{descriptor,config_constants,
//!   config,metadata,provider}.go
//! - the pbkdf2 known answer below: internal/encryption/keyprovider/pbkdf2/example_decrypt_test.go
//! - AES-GCM: random 12-byte nonce prepended, Go's `Seal` appends the 16-byte
//!   tag, AAD only when `aad` is configured (none by default); key lengths
//!   16/24/32: internal/encryption/method/aesgcm/{aesgcm,config,descriptor}.go
//! - fallback only on read, tried in order after the primary method;
//!   `unencrypted` must be in the chain to accept plain data; `enforced`
//!   forbids `unencrypted`; error texts: internal/encryption/base.go,
//!   internal/encryption/targets.go
//! - aws_kms: `GenerateDataKey(KeyId, KeySpec, EncryptionContext)` to
//!   encrypt, `Decrypt(KeyId, CiphertextBlob, EncryptionContext)` to read,
//!   metadata `{ciphertext_blob, encryption_context}`:
//!   internal/encryption/keyprovider/aws_kms/{config,provider}.go
//! - the "encrypted without configuration" texts: internal/states/statefile/read.go,
//!   internal/plans/planfile/reader.go
//!
//! The known-answer envelope was computed independently of herd's code with
//! Python 3 (`hashlib.pbkdf2_hmac("sha512", ...)` and
//! `cryptography.hazmat.primitives.ciphers.aead.AESGCM`, i.e. OpenSSL), with
//! the salt of OpenTofu's pbkdf2 example and the nonce 00 01 .. 0b.

use std::sync::Arc;

use base64::Engine as _;

use super::*;
use crate::config::encryption::parse_env;
use crate::config::Expr;
use crate::diag::{Diagnostics, Sources};

const KAT_SALT: [u8; 32] = [
    0x10, 0xec, 0x3d, 0x3f, 0xe0, 0x2a, 0xd2, 0xbe, 0xe6, 0xf1, 0xf5, 0x54, 0x0f, 0x8e, 0x6b, 0xbe,
    0x3b, 0x8b, 0x29, 0x44, 0x5c, 0xf5, 0x02, 0xd2, 0x7d, 0x47, 0xad, 0x55, 0x4a, 0xa8, 0x97, 0x1f,
];
const KAT_PASSPHRASE: &str = "correct-horse-battery-staple";
const KAT_KEY_HEX: &str = "225872367198760137e0a18580433447bbf578fbe2b87ff36aef3c175fe5709c";
const KAT_STATE: &str = "{\n  \"version\": 4,\n  \"terraform_version\": \"1.9.0\",\n  \"serial\": 3,\n  \"lineage\": \"6b1a7d2e-3f43-4c0e-9d0a-5f2b8c1e4a77\",\n  \"outputs\": {\n    \"greeting\": {\n      \"value\": \"hello\",\n      \"type\": \"string\"\n    }\n  },\n  \"resources\": [],\n  \"check_results\": null\n}\n";
const KAT_ENVELOPE: &str = r#"{"serial":3,"lineage":"6b1a7d2e-3f43-4c0e-9d0a-5f2b8c1e4a77","meta":{"key_provider.pbkdf2.foo":"eyJzYWx0IjoiRU93OVArQXEwcjdtOGZWVUQ0NXJ2anVMS1VSYzlRTFNmVWV0VlVxb2x4OD0iLCJpdGVyYXRpb25zIjo2MDAwMDAsImhhc2hfZnVuY3Rpb24iOiJzaGE1MTIiLCJrZXlfbGVuZ3RoIjozMn0="},"encrypted_data":"AAECAwQFBgcICQoLdLN2nvA+L+wwp2nbIYv4MSr9DQ/CsQxMioeU1EKmIlVLuHde1jMFXQqixdNWkmqtJucFK5rrbvMU4TAOj309URQMEGEwDW+Ll0b9QVyr/xCea6Bwg2Br/TPKkBXIPS8e9koQxH1cUk3RhZweLFvcm9S2Da4j1ktPrTsXItBhE2EwgPyWnY0w6bzyXruiS+PSafYEWgdNpozUHsqfMUne8PzRKX2FKGJPYrtr9RkAiCBNwqU1JUkaTwB4nlWu0DeZVtw+Ip02WpDtekgmyiiyggLEG8ltQgFXJezfuSlTvNUtjXHstZBUTlRC7dkPdJtrNRct0xHmV/nDAW+oLyPlDSyDvA4waACm849b/IRZ","encryption_version":"v0"}"#;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Build the encryption of a TF_ENCRYPTION-style text (constants only).
fn build_text(text: &str) -> Result<Encryption, Diagnostics> {
    let sources = Sources::default();
    let (cfg, d) = parse_env(text, &sources);
    if d.has_errors() {
        return Err(d);
    }
    let eval =
        |e: &Expr| crate::lang::eval::eval_constant(&e.expr, &e.file).map_err(Diagnostics::from);
    let (enc, d) = setup::build(&cfg, &eval);
    enc.ok_or(d)
}

fn enc(text: &str) -> Encryption {
    build_text(text).unwrap_or_else(|d| panic!("{d:?}"))
}

fn errors(text: &str) -> Vec<String> {
    match build_text(text) {
        Ok(_) => vec![],
        Err(d) => {
            d.0.iter()
                .filter(|x| x.is_error())
                .map(|x| format!("{}: {}", x.summary, x.detail))
                .collect()
        }
    }
}

/// pbkdf2 + aes_gcm at OpenTofu's minimum iteration count (fast tests).
fn pbkdf2_cfg(name: &str, pass: &str, extra_state: &str) -> String {
    format!(
        r#"
        key_provider "pbkdf2" "{name}" {{
          passphrase = "{pass}"
          iterations = 200000
        }}
        method "aes_gcm" "m" {{ keys = key_provider.pbkdf2.{name} }}
        method "unencrypted" "plain" {{}}
        state {{
          method = method.aes_gcm.m
          {extra_state}
        }}
        plan {{ method = method.aes_gcm.m }}
        "#
    )
}

fn sample_state(serial: u64) -> Vec<u8> {
    let mut s = crate::state::State::new();
    s.serial = serial;
    s.lineage = "0e4f5a4c-7d0b-4b43-9d2e-1c6f3b8a9e10".into();
    s.outputs.insert(
        "secret".into(),
        crate::state::OutputState {
            value: serde_json::json!("hunter2-very-secret"),
            ty: serde_json::json!("string"),
            sensitive: true,
        },
    );
    let mut t = serde_json::to_string_pretty(&s).unwrap();
    t.push('\n');
    t.into_bytes()
}

#[test]
fn pbkdf2_matches_opentofu_example() {
    let k = keys::pbkdf2(
        keys::Hash::Sha512,
        KAT_PASSPHRASE.as_bytes(),
        &KAT_SALT,
        600_000,
        32,
    );
    assert_eq!(hex(&k), KAT_KEY_HEX);
}

#[test]
fn known_answer_envelope_decrypts() {
    let e = enc(&format!(
        r#"
        key_provider "pbkdf2" "foo" {{ passphrase = "{KAT_PASSPHRASE}" }}
        method "aes_gcm" "m" {{ keys = key_provider.pbkdf2.foo }}
        state {{ method = method.aes_gcm.m }}
        "#
    ));
    let (plain, status) = e.decrypt_state(KAT_ENVELOPE.as_bytes()).unwrap();
    assert_eq!(String::from_utf8(plain).unwrap(), KAT_STATE);
    assert_eq!(status, Status::Satisfied);
}

#[test]
fn known_answer_seal_is_byte_identical() {
    // herd's AES-GCM with the same key and nonce gives exactly the
    // independently computed `encrypted_data`.
    let key = keys::pbkdf2(
        keys::Hash::Sha512,
        KAT_PASSPHRASE.as_bytes(),
        &KAT_SALT,
        600_000,
        32,
    );
    let nonce: [u8; 12] = std::array::from_fn(|i| i as u8);
    let ct = aes_gcm_seal(&key, &nonce, KAT_STATE.as_bytes(), &[]).unwrap();
    let env: serde_json::Value = serde_json::from_str(KAT_ENVELOPE).unwrap();
    assert_eq!(b64().encode(&ct), env["encrypted_data"].as_str().unwrap());
    assert_eq!(ct.len(), 12 + KAT_STATE.len() + 16);
    assert_eq!(aes_gcm_open(&key, &ct, &[]).unwrap(), KAT_STATE.as_bytes());
}

#[test]
fn envelope_has_opentofus_shape() {
    let e = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    let plain = sample_state(7);
    let out = e.encrypt_state(&plain).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(!text.contains("hunter2"), "plaintext leaked: {text}");
    // Compact JSON, fields in Go's order.
    let keys: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
            .unwrap()
            .keys()
            .cloned()
            .collect();
    assert_eq!(
        keys,
        [
            "serial",
            "lineage",
            "meta",
            "encrypted_data",
            "encryption_version"
        ]
    );
    assert!(!text.contains('\n') && !text.contains(": "));
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["serial"], 7);
    assert_eq!(j["encryption_version"], "v0");
    let meta_b64 = j["meta"]["key_provider.pbkdf2.k"].as_str().unwrap();
    let meta = String::from_utf8(b64().decode(meta_b64).unwrap()).unwrap();
    let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&meta).unwrap();
    assert_eq!(
        m.keys().cloned().collect::<Vec<_>>(),
        ["salt", "iterations", "hash_function", "key_length"]
    );
    assert_eq!(m["iterations"], 200000);
    assert_eq!(m["hash_function"], "sha512");
    assert_eq!(m["key_length"], 32);
    let salt = b64().decode(m["salt"].as_str().unwrap()).unwrap();
    assert_eq!(salt.len(), 32);
    // The ciphertext opens with the key derived from the stored metadata,
    // computed here without herd's key provider.
    let key = keys::pbkdf2(
        keys::Hash::Sha512,
        b"a passphrase of some length",
        &salt,
        200_000,
        32,
    );
    let data = b64().decode(j["encrypted_data"].as_str().unwrap()).unwrap();
    assert_eq!(data.len(), 12 + plain.len() + 16);
    assert_eq!(aes_gcm_open(&key, &data, &[]).unwrap(), plain);
    // And herd reads it back.
    let (back, st) = e.decrypt_state(&out).unwrap();
    assert_eq!(back, plain);
    assert_eq!(st, Status::Satisfied);
    // Same key for the whole process (one salt), fresh nonce each time.
    let out2 = e.encrypt_state(&plain).unwrap();
    let j2: serde_json::Value = serde_json::from_slice(&out2).unwrap();
    assert_eq!(j2["meta"], j["meta"]);
    assert_ne!(j2["encrypted_data"], j["encrypted_data"]);
}

#[test]
fn plan_round_trip_has_no_state_fields() {
    let e = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    let plan = {
        use std::io::Write;
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(br#"{"herd_plan_format":1}"#).unwrap();
        g.finish().unwrap()
    };
    let out = e.encrypt_plan(&plan).unwrap();
    let j: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        j.keys().cloned().collect::<Vec<_>>(),
        ["meta", "encrypted_data", "encryption_version"]
    );
    assert_eq!(e.decrypt_plan(&out).unwrap().0, plan);
    // A plain plan file is refused: no unencrypted method for the plan target.
    assert!(matches!(
        e.decrypt_plan(&plan),
        Err(EncryptionError::Unencrypted)
    ));
}

#[test]
fn wrong_passphrase_is_a_clear_error() {
    let good = enc(&pbkdf2_cfg("k", "the right passphrase", ""));
    let bad = enc(&pbkdf2_cfg("k", "the wrong passphrase", ""));
    let out = good.encrypt_state(&sample_state(1)).unwrap();
    let e = bad.decrypt_state(&out).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, EncryptionError::AllMethodsFailed(_)), "{msg}");
    assert!(
        msg.starts_with("decryption failed for all provided methods: attempted decryption failed for state: decryption failed: cipher: message authentication failed"),
        "{msg}"
    );
}

#[test]
fn wrong_passphrase_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terraform.tfstate");
    let good = enc(&pbkdf2_cfg("k", "the right passphrase", ""));
    let bad = enc(&pbkdf2_cfg("k", "the wrong passphrase", ""));
    let bytes = good.encrypt_state(&sample_state(4)).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let r = crate::state::read_with(&path, &|b| bad.decrypt_state(b).map(|x| x.0));
    assert!(
        matches!(r, Err(crate::state::StateError::Encryption { .. })),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let ok = crate::state::read_with(&path, &|b| good.decrypt_state(b).map(|x| x.0))
        .unwrap()
        .unwrap();
    assert_eq!(ok.serial, 4);
    assert_eq!(ok.outputs["secret"].value, "hunter2-very-secret");
}

#[test]
fn migration_from_unencrypted_with_fallback() {
    let e = enc(&pbkdf2_cfg(
        "k",
        "a passphrase of some length",
        "fallback { method = method.unencrypted.plain }",
    ));
    let plain = sample_state(2);
    let (back, st) = e.decrypt_state(&plain).unwrap();
    assert_eq!(back, plain);
    assert_eq!(st, Status::Migration);
    // Writing uses the primary method.
    let out = e.encrypt_state(&plain).unwrap();
    assert!(is_encrypted(&out));
    assert_eq!(e.decrypt_state(&out).unwrap().1, Status::Satisfied);
}

#[test]
fn unencrypted_payload_refused_without_unencrypted_method() {
    let e = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    let err = e.decrypt_state(&sample_state(2)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "encountered unencrypted payload without unencrypted method configured"
    );
    // Garbage is neither.
    let err = e.decrypt_state(b"not json").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid data format for decryption:"),
        "{err}"
    );
}

#[test]
fn migration_to_unencrypted() {
    let old = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    let sealed = old.encrypt_state(&sample_state(5)).unwrap();
    let e = enc(r#"
        key_provider "pbkdf2" "k" {
          passphrase = "a passphrase of some length"
          iterations = 200000
        }
        method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
        method "unencrypted" "plain" {}
        state {
          method = method.unencrypted.plain
          fallback { method = method.aes_gcm.m }
        }
        "#);
    let (back, st) = e.decrypt_state(&sealed).unwrap();
    assert_eq!(back, sample_state(5));
    assert_eq!(st, Status::Migration);
    assert_eq!(e.encrypt_state(&back).unwrap(), back);
}

#[test]
fn passphrase_rollover_with_fallback() {
    let old = enc(&pbkdf2_cfg("old", "the old passphrase!", ""));
    let sealed = old.encrypt_state(&sample_state(9)).unwrap();
    let e = enc(r#"
        key_provider "pbkdf2" "new" {
          passphrase = "the new passphrase!"
          iterations = 200000
        }
        key_provider "pbkdf2" "old" {
          passphrase = "the old passphrase!"
          iterations = 200000
        }
        method "aes_gcm" "new" { keys = key_provider.pbkdf2.new }
        method "aes_gcm" "m" { keys = key_provider.pbkdf2.old }
        state {
          method = method.aes_gcm.new
          fallback { method = method.aes_gcm.m }
        }
        "#);
    let (back, st) = e.decrypt_state(&sealed).unwrap();
    assert_eq!(back, sample_state(9));
    assert_eq!(st, Status::Migration);
    let resealed = e.encrypt_state(&back).unwrap();
    let j: serde_json::Value = serde_json::from_slice(&resealed).unwrap();
    assert!(j["meta"].get("key_provider.pbkdf2.new").is_some());
    // The old configuration cannot read what the new one wrote.
    let err = old.decrypt_state(&resealed).unwrap_err().to_string();
    assert!(err.contains("no decryption key available"), "{err}");
}

#[test]
fn metadata_alias_survives_a_rename() {
    let a = enc(r#"
        key_provider "pbkdf2" "basic" {
          encrypted_metadata_alias = "foo"
          passphrase = "Hello world! 123"
          iterations = 200000
        }
        method "aes_gcm" "example" { keys = key_provider.pbkdf2.basic }
        state { method = method.aes_gcm.example }
        "#);
    let b = enc(r#"
        key_provider "pbkdf2" "simple" {
          encrypted_metadata_alias = "foo"
          passphrase = "Hello world! 123"
          iterations = 200000
        }
        method "aes_gcm" "example" { keys = key_provider.pbkdf2.simple }
        state { method = method.aes_gcm.example }
        "#);
    let sealed = a.encrypt_state(&sample_state(1)).unwrap();
    let j: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
    assert!(j["meta"].get("foo").is_some(), "{j}");
    assert_eq!(b.decrypt_state(&sealed).unwrap().0, sample_state(1));
}

#[test]
fn tampering_is_detected() {
    let e = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    let sealed = e.encrypt_state(&sample_state(3)).unwrap();
    let mut j: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
    // Serial outside the ciphertext changed.
    j["serial"] = serde_json::json!(4);
    let err = e
        .decrypt_state(&serde_json::to_vec(&j).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid state metadata, serial field mismatch 4 vs 3");
    j["serial"] = serde_json::json!(3);
    // A flipped ciphertext byte.
    let mut data = b64().decode(j["encrypted_data"].as_str().unwrap()).unwrap();
    data[20] ^= 1;
    j["encrypted_data"] = serde_json::json!(b64().encode(&data));
    let err = e
        .decrypt_state(&serde_json::to_vec(&j).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cipher: message authentication failed"),
        "{err}"
    );
    // An unknown envelope version.
    j["encryption_version"] = serde_json::json!("v9");
    let err = e
        .decrypt_state(&serde_json::to_vec(&j).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid encrypted payload version: v9 != v0");
}

#[test]
fn hostile_metadata_does_not_hang() {
    let e = enc(&pbkdf2_cfg("foo", KAT_PASSPHRASE, ""));
    let mut j: serde_json::Value = serde_json::from_str(KAT_ENVELOPE).unwrap();
    let meta =
        r#"{"salt":"AAAA","iterations":999999999999,"hash_function":"sha512","key_length":32}"#;
    j["meta"]["key_provider.pbkdf2.foo"] = serde_json::json!(b64().encode(meta));
    let t = std::time::Instant::now();
    let err = e
        .decrypt_state(&serde_json::to_vec(&j).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than herd allows"), "{err}");
    assert!(t.elapsed().as_secs() < 5);
    j["meta"]["key_provider.pbkdf2.foo"] = serde_json::json!("not base64!");
    let err = e
        .decrypt_state(&serde_json::to_vec(&j).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("Unable to decode encrypted metadata"),
        "{err}"
    );
}

#[test]
fn no_configuration_refuses_encrypted_data() {
    let none = Encryption::default();
    let err = none
        .decrypt_state(KAT_ENVELOPE.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "This state file is encrypted and can not be read without an encryption configuration"
    );
    let err = none
        .decrypt_plan(br#"{"meta":{},"encrypted_data":"","encryption_version":"v0"}"#)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the given plan file is encrypted and requires a valid encryption configuration to decrypt"
    );
    let plain = sample_state(1);
    assert_eq!(none.decrypt_state(&plain).unwrap().0, plain);
    assert_eq!(none.encrypt_state(&plain).unwrap(), plain);
}

#[test]
fn enforced_refuses_unencrypted() {
    let errs = errors(&pbkdf2_cfg(
        "k",
        "a passphrase of some length",
        "enforced = true\nfallback { method = method.unencrypted.plain }",
    ));
    assert!(
        errs.iter()
            .any(|e| e.starts_with("Unencrypted method is forbidden")),
        "{errs:?}"
    );
    // Enforced without the unencrypted method: a plain state is refused.
    let e = enc(&pbkdf2_cfg(
        "k",
        "a passphrase of some length",
        "enforced = true",
    ));
    assert!(matches!(
        e.decrypt_state(&sample_state(1)),
        Err(EncryptionError::Unencrypted)
    ));
}

#[test]
fn bad_configurations_are_diagnosed() {
    let kp = |body: &str| {
        format!(
            "key_provider \"pbkdf2\" \"k\" {{\n{body}\n}}\nmethod \"aes_gcm\" \"m\" {{ keys = key_provider.pbkdf2.k }}\nstate {{ method = method.aes_gcm.m }}"
        )
    };
    for (text, want) in [
        (kp(""), "no passphrase provided and no chained provider defined"),
        (kp(r#"passphrase = "too short""#), "passphrase is too short (minimum 16 characters)"),
        (
            kp("passphrase = \"long enough passphrase\"\niterations = 1000"),
            "the number of iterations is dangerously low (<200000), refusing to generate key",
        ),
        (
            kp("passphrase = \"long enough passphrase\"\nhash_function = \"sha1\""),
            "invalid hash function name: sha1",
        ),
        (
            kp("passphrase = \"long enough passphrase\"\nkey_length = 20"),
            "AES-GCM requires the key length to be one of: 16, 24, 32, received 20 bytes",
        ),
        (
            kp("passphrase = \"long enough passphrase\"\nchain = key_provider.pbkdf2.x"),
            "does not implement \"chain\"",
        ),
        (
            "method \"aes_gcm\" \"m\" { keys = key_provider.pbkdf2.nope }\nstate { method = method.aes_gcm.m }".into(),
            "There is no key_provider \"pbkdf2\" \"nope\" block declared",
        ),
        (
            "method \"unencrypted\" \"u\" {}\nstate { method = method.aes_gcm.gone }".into(),
            "There is no method \"aes_gcm\" \"gone\" block declared",
        ),
        ("state { enforced = true }".into(), "sets no method"),
        (
            "method \"aes_gcm\" \"m\" {}\nstate { method = method.aes_gcm.m }".into(),
            "The argument \"keys\" is required",
        ),
        (
            "key_provider \"aws_kms\" \"k\" {\n kms_key_id = \"alias/x\"\n region = \"us-east-1\"\n}\nmethod \"aes_gcm\" \"m\" { keys = key_provider.aws_kms.k }\nstate { method = method.aes_gcm.m }".into(),
            "no key_spec provided",
        ),
        (
            "key_provider \"aws_kms\" \"k\" {\n kms_key_id = \"alias/x\"\n key_spec = \"RSA_2048\"\n region = \"us-east-1\"\n}".into(),
            "invalid key_spec RSA_2048, expected one of [AES_256 AES_128]",
        ),
        (
            "key_provider \"aws_kms\" \"k\" {\n kms_key_id = \"alias/x\"\n key_spec = \"AES_256\"\n region = \"us-east-1\"\n assume_role = {}\n}".into(),
            "herd does not implement \"assume_role\"",
        ),
    ] {
        let errs = errors(&text);
        assert!(errs.iter().any(|e| e.contains(want)), "{text}\nwant {want:?}\ngot {errs:?}");
    }
}

#[test]
fn passphrase_is_never_in_diagnostics() {
    let sources = Sources::default();
    let (cfg, _) = parse_env(
        "key_provider \"pbkdf2\" \"k\" {\n  passphrase = \"short-secret\"\n}\nmethod \"aes_gcm\" \"m\" { keys = key_provider.pbkdf2.k }\nstate { method = method.aes_gcm.m }",
        &sources,
    );
    let eval =
        |e: &Expr| crate::lang::eval::eval_constant(&e.expr, &e.file).map_err(Diagnostics::from);
    let (_, d) = setup::build(&cfg, &eval);
    let text = crate::diag::render(&d, &sources, false);
    assert!(text.contains("passphrase is too short"), "{text}");
    assert!(!text.contains("short-secret"), "{text}");
    let e = enc(&pbkdf2_cfg("k", "a passphrase of some length", ""));
    assert!(!format!("{e:?}").contains("a passphrase of some length"));
}

#[test]
fn remote_state_targets_by_name() {
    let writer = enc(&pbkdf2_cfg("k", "the remote passphrase", ""));
    let sealed = writer.encrypt_state(&sample_state(1)).unwrap();
    let reader = enc(r#"
        key_provider "pbkdf2" "k" {
          passphrase = "the remote passphrase"
          iterations = 200000
        }
        method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
        method "unencrypted" "plain" {}
        remote_state_data_sources {
          default { method = method.unencrypted.plain }
          remote_state_data_source "net" { method = method.aes_gcm.m }
        }
        "#);
    assert_eq!(
        reader.decrypt_remote_state("net", &sealed).unwrap(),
        sample_state(1)
    );
    // Others use the default (unencrypted only here).
    assert!(reader.decrypt_remote_state("other", &sealed).is_err());
    assert_eq!(
        reader
            .decrypt_remote_state("other", &sample_state(1))
            .unwrap(),
        sample_state(1)
    );
    // The local state is not encrypted by that configuration.
    assert!(reader.state.is_none());
}

#[test]
fn aes_key_lengths_16_24_32() {
    for len in [16usize, 24, 32] {
        let key = vec![7u8; len];
        let nonce = [1u8; 12];
        let ct = aes_gcm_seal(&key, &nonce, b"data", b"aad").unwrap();
        assert_eq!(aes_gcm_open(&key, &ct, b"aad").unwrap(), b"data");
        assert!(aes_gcm_open(&key, &ct, b"other aad").is_err());
    }
    assert!(aes_gcm_seal(&[0u8; 20], &[0u8; 12], b"x", b"").is_err());
    let _ = Arc::new(Method::Unencrypted);
}

//! Key providers: where the AES key comes from. Each gives a fresh key with
//! the metadata to store beside the ciphertext (to encrypt), and the key for
//! stored metadata (to decrypt), with OpenTofu's metadata JSON:
//!
//! - `pbkdf2`: PBKDF2-HMAC (sha512 by default, or sha256) of the passphrase
//!   with a random salt; metadata `{"salt":B64,"iterations":N,
//!   "hash_function":"sha512","key_length":N}` (OpenTofu's
//!   internal/encryption/keyprovider/pbkdf2/).
//! - `aws_kms`: a data key from KMS `GenerateDataKey` (with the configured
//!   `key_spec` and `encryption_context`), unwrapped again with `Decrypt`;
//!   metadata `{"ciphertext_blob":B64,"encryption_context":{..}}` (the
//!   context only when set; OpenTofu's internal/encryption/keyprovider/aws_kms/).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::EncryptionError;

/// OpenTofu's minimums (internal/encryption/keyprovider/pbkdf2/config_constants.go).
pub const MIN_PASSPHRASE_LEN: usize = 16;
pub const MIN_ITERATIONS: u32 = 200_000;
pub const DEFAULT_ITERATIONS: u32 = 600_000;
pub const DEFAULT_SALT_LEN: usize = 32;
pub const DEFAULT_KEY_LEN: usize = 32;
/// herd's ceilings on what stored metadata may ask for, so that a damaged
/// or hostile file cannot make a read run for hours or allocate gigabytes.
pub const MAX_ITERATIONS: u32 = 20_000_000;
pub const MAX_KEY_LEN: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha512,
}

impl Hash {
    pub fn parse(s: &str) -> Option<Hash> {
        match s {
            "sha256" => Some(Hash::Sha256),
            "sha512" => Some(Hash::Sha512),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Sha512 => "sha512",
        }
    }
}

/// PBKDF2-HMAC with `hash`, as Go's golang.org/x/crypto/pbkdf2.Key.
pub fn pbkdf2(hash: Hash, passphrase: &[u8], salt: &[u8], iterations: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    match hash {
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, salt, iterations, &mut out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(passphrase, salt, iterations, &mut out),
    }
    out
}

pub struct Pbkdf2 {
    pub passphrase: String,
    pub key_length: usize,
    pub iterations: u32,
    pub hash: Hash,
    pub salt_length: usize,
}

/// The stored form; field order as OpenTofu's Go struct marshals it.
#[derive(Serialize, Deserialize, Default)]
struct Pbkdf2Meta {
    #[serde(default, with = "b64_bytes")]
    salt: Vec<u8>,
    #[serde(default)]
    iterations: i64,
    #[serde(default)]
    hash_function: String,
    #[serde(default)]
    key_length: i64,
}

pub struct AwsKms {
    pub key_id: String,
    pub key_spec: String,
    pub encryption_context: BTreeMap<String, String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub max_retries: Option<u32>,
    pub retry_mode: Option<String>,
}

#[derive(Serialize, Deserialize, Default)]
struct KmsMeta {
    #[serde(default, with = "b64_bytes")]
    ciphertext_blob: Vec<u8>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    encryption_context: BTreeMap<String, String>,
}

mod b64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(vec![]),
            Some(s) => base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(serde::de::Error::custom),
        }
    }
}

pub enum Kind {
    Pbkdf2(Pbkdf2),
    AwsKms(AwsKms),
}

pub struct KeyProvider {
    /// `key_provider.TYPE.NAME`.
    pub addr: String,
    /// Where its metadata is stored in `meta`: the address, or the
    /// `encrypted_metadata_alias`.
    pub meta_key: String,
    pub kind: Kind,
}

impl std::fmt::Debug for KeyProvider {
    // Never show the passphrase or credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyProvider({})", self.addr)
    }
}

fn fetch_err(addr: &str, e: impl std::fmt::Display) -> EncryptionError {
    EncryptionError::Key {
        summary: "Unable to fetch encryption key data".into(),
        detail: format!("{addr} failed with error: {e}"),
    }
}

impl KeyProvider {
    /// The key to encrypt with, and its metadata JSON.
    pub fn encryption_key(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        match &self.kind {
            Kind::Pbkdf2(p) => {
                let salt = super::random_bytes(p.salt_length)?;
                let key = pbkdf2(
                    p.hash,
                    p.passphrase.as_bytes(),
                    &salt,
                    p.iterations,
                    p.key_length,
                );
                let meta = Pbkdf2Meta {
                    salt,
                    iterations: p.iterations as i64,
                    hash_function: p.hash.name().into(),
                    key_length: p.key_length as i64,
                };
                Ok((key, serde_json::to_vec(&meta).map_err(|e| e.to_string())?))
            }
            Kind::AwsKms(k) => {
                let (plain, blob) = k.generate().map_err(|e| {
                    format!(
                        "{} failed with error: failed to generate key: {e}",
                        self.addr
                    )
                })?;
                let meta = KmsMeta {
                    ciphertext_blob: blob,
                    encryption_context: k.encryption_context.clone(),
                };
                Ok((plain, serde_json::to_vec(&meta).map_err(|e| e.to_string())?))
            }
        }
    }

    /// The key for stored metadata; `None` when there is none for this
    /// provider (then this method cannot decrypt, and the next is tried).
    pub fn decryption_key(&self, meta: Option<&[u8]>) -> Result<Option<Vec<u8>>, EncryptionError> {
        let Some(meta) = meta else {
            return Ok(None);
        };
        let decode_err = |e: serde_json::Error| EncryptionError::Key {
            summary: "Unable to decode encrypted metadata (did you change your encryption config?)"
                .into(),
            detail: format!(
                "metadata decoder for {} failed with error: {e}",
                self.meta_key
            ),
        };
        match &self.kind {
            Kind::Pbkdf2(p) => {
                let m: Pbkdf2Meta = serde_json::from_slice(meta).map_err(decode_err)?;
                if m.salt.is_empty()
                    || m.iterations == 0
                    || m.hash_function.is_empty()
                    || m.key_length == 0
                {
                    return Ok(None);
                }
                let bad = |msg: String| fetch_err(&self.addr, msg);
                if m.iterations < 0 {
                    return Err(bad(format!(
                        "invalid number of iterations ({})",
                        m.iterations
                    )));
                }
                if m.key_length < 0 {
                    return Err(bad(format!("invalid key length ({})", m.key_length)));
                }
                let hash = Hash::parse(&m.hash_function).ok_or_else(|| {
                    bad(format!("invalid hash function name: {}", m.hash_function))
                })?;
                if m.iterations > MAX_ITERATIONS as i64 || m.key_length > MAX_KEY_LEN as i64 {
                    return Err(bad(format!(
                        "the stored metadata asks for {} iterations and a {}-byte key, more than herd allows ({MAX_ITERATIONS} iterations, {MAX_KEY_LEN} bytes)",
                        m.iterations, m.key_length
                    )));
                }
                Ok(Some(pbkdf2(
                    hash,
                    p.passphrase.as_bytes(),
                    &m.salt,
                    m.iterations as u32,
                    m.key_length as usize,
                )))
            }
            Kind::AwsKms(k) => {
                let m: KmsMeta = serde_json::from_slice(meta).map_err(decode_err)?;
                if m.ciphertext_blob.is_empty() {
                    return Ok(None);
                }
                k.decrypt(&m.ciphertext_blob, &m.encryption_context)
                    .map(Some)
                    .map_err(|e| fetch_err(&self.addr, e))
            }
        }
    }
}

/// Run an AWS call on a thread of its own with its own runtime: callers
/// may be inside a tokio runtime (the apply walker) or not.
fn run_async<T: Send>(
    f: impl std::future::Future<Output = Result<T, String>> + Send,
) -> Result<T, String> {
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(f)
        })
        .join()
        .unwrap_or_else(|_| Err("the KMS request thread panicked".into()))
    })
}

fn aws_message<E>(e: aws_sdk_kms::error::SdkError<E>) -> String
where
    E: aws_sdk_kms::error::ProvideErrorMetadata + std::error::Error + 'static,
    aws_sdk_kms::error::SdkError<E>: aws_sdk_kms::error::ProvideErrorMetadata,
{
    use aws_sdk_kms::error::ProvideErrorMetadata;
    match (e.code(), e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => aws_sdk_kms::error::DisplayErrorContext(&e).to_string(),
    }
}

impl AwsKms {
    async fn client(&self) -> aws_sdk_kms::Client {
        use aws_config::{BehaviorVersion, Region};
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(r) = &self.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(p) = &self.profile {
            loader = loader.profile_name(p);
        }
        if let (Some(ak), Some(sk)) = (&self.access_key, &self.secret_key) {
            loader = loader.credentials_provider(aws_sdk_kms::config::Credentials::new(
                ak.clone(),
                sk.clone(),
                self.token.clone(),
                None,
                "encryption-key-provider",
            ));
        }
        let mut retry = if self.retry_mode.as_deref() == Some("adaptive") {
            aws_config::retry::RetryConfig::adaptive()
        } else {
            aws_config::retry::RetryConfig::standard()
        };
        // OpenTofu's default: 5 retries.
        retry = retry.with_max_attempts(self.max_retries.unwrap_or(5).saturating_add(1));
        loader = loader.retry_config(retry);
        aws_sdk_kms::Client::new(&loader.load().await)
    }

    fn generate(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        run_async(async {
            let spec = aws_sdk_kms::types::DataKeySpec::from(self.key_spec.as_str());
            let mut req = self
                .client()
                .await
                .generate_data_key()
                .key_id(&self.key_id)
                .key_spec(spec);
            for (k, v) in &self.encryption_context {
                req = req.encryption_context(k, v);
            }
            let out = req.send().await.map_err(aws_message)?;
            let plain = out
                .plaintext()
                .map(|b| b.as_ref().to_vec())
                .ok_or("KMS returned no plaintext key")?;
            let blob = out
                .ciphertext_blob()
                .map(|b| b.as_ref().to_vec())
                .ok_or("KMS returned no ciphertext blob")?;
            Ok((plain, blob))
        })
    }

    fn decrypt(&self, blob: &[u8], context: &BTreeMap<String, String>) -> Result<Vec<u8>, String> {
        run_async(async {
            let mut req = self
                .client()
                .await
                .decrypt()
                .key_id(&self.key_id)
                .ciphertext_blob(aws_sdk_kms::primitives::Blob::new(blob.to_vec()));
            for (k, v) in context {
                req = req.encryption_context(k, v);
            }
            let out = req.send().await.map_err(aws_message)?;
            out.plaintext()
                .map(|b| b.as_ref().to_vec())
                .ok_or_else(|| "KMS returned no plaintext key".to_string())
        })
    }
}

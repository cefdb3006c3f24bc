//! The `s3` backend, compatible with Terraform's on the same bucket: the
//! default workspace's state at `key`, the others at
//! `<workspace_key_prefix>/<name>/<key>` (listed by that prefix); the lock as
//! an object `<key>.tflock` created with `If-None-Match: *` (`use_lockfile`)
//! and/or a DynamoDB item `LockID = "<bucket>/<key>"` created with
//! `attribute_not_exists(LockID)`, both holding Terraform's lock info JSON;
//! with a DynamoDB table, the MD5 of every state written is kept in the item
//! `"<bucket>/<key>-md5"` (`Digest`) and checked on read.
//!
//! The manager's methods are synchronous: each runs its request on the
//! backend's own tokio runtime from a scoped thread, so they work the same
//! from plain code and from inside the engine's runtime.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::primitives::ByteStream;
use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde_json::Value as J;

use super::lock::{LockError, LockInfo};
use super::mgr::{Backend, StateLock, StateMgr, DEFAULT_WORKSPACE};
use super::{State, StateError};

/// The backend arguments herd honours (from Terraform's s3 backend schema).
#[derive(Clone, Debug, Default)]
pub struct S3Config {
    pub bucket: String,
    pub key: String,
    pub region: Option<String>,
    pub workspace_key_prefix: String,
    pub use_lockfile: bool,
    pub dynamodb_table: Option<String>,
    pub encrypt: bool,
    pub kms_key_id: Option<String>,
    pub sse_customer_key: Option<String>,
    pub acl: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: Vec<(String, String)>,
    pub endpoint_s3: Option<String>,
    pub endpoint_dynamodb: Option<String>,
    pub endpoint_sts: Option<String>,
    pub sts_region: Option<String>,
    pub use_path_style: bool,
    pub skip_s3_checksum: bool,
    pub use_fips_endpoint: bool,
    pub use_dualstack_endpoint: bool,
    pub max_retries: Option<u32>,
    pub retry_mode: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
}

/// Arguments in Terraform's schema that herd does not act on. Setting one
/// is an error (herd cannot honour it), except the endpoints of services
/// herd never calls for state (IAM, SSO) and the `skip_*` checks, which
/// herd does not make anyway.
const NOT_HONOURED: &[&str] = &[
    "allowed_account_ids",
    "forbidden_account_ids",
    "assume_role_with_web_identity",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

fn s(c: &J, k: &str) -> Option<String> {
    c.get(k)
        .and_then(J::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn b(c: &J, k: &str) -> bool {
    c.get(k).and_then(J::as_bool).unwrap_or(false)
}

fn strs(c: &J, k: &str) -> Vec<String> {
    c.get(k)
        .and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Parse a Go duration like Terraform's `assume_role.duration` ("1h").
fn duration(c: &J, k: &str) -> Result<Option<Duration>, String> {
    match s(c, k) {
        None => Ok(None),
        Some(d) => super::lock::parse_duration(&d)
            .map(Some)
            .map_err(|e| format!("assume_role.duration: {e}")),
    }
}

impl S3Config {
    /// From the backend configuration object (every attribute present,
    /// null when unset, as `.terraform/terraform.tfstate` records it).
    pub fn from_json(c: &J) -> Result<S3Config, String> {
        for k in NOT_HONOURED {
            if c.get(*k).is_some_and(|v| !v.is_null()) {
                return Err(format!(
                    "herd does not implement the s3 backend argument {k:?}; remove it from the backend configuration."
                ));
            }
        }
        if b(c, "insecure") {
            return Err("herd does not implement the s3 backend argument \"insecure\" (TLS verification is always on).".into());
        }
        let bucket = s(c, "bucket").ok_or("The attribute \"bucket\" is required by the s3 backend; set it in the backend block or with -backend-config=\"bucket=...\".")?;
        let key = s(c, "key").ok_or("The attribute \"key\" is required by the s3 backend; set it in the backend block or with -backend-config=\"key=...\".")?;
        if key.starts_with('/') || key.ends_with('/') {
            return Err(format!(
                "The \"key\" {key:?} must not start or end with '/'."
            ));
        }
        let prefix = match c.get("workspace_key_prefix") {
            Some(J::String(p)) => p.clone(),
            _ => "env:".to_string(),
        };
        if prefix.starts_with('/') || prefix.ends_with('/') {
            return Err(format!(
                "The \"workspace_key_prefix\" {prefix:?} must not start or end with '/'."
            ));
        }
        let ar = c.get("assume_role").cloned().unwrap_or(J::Null);
        let ep = c.get("endpoints").cloned().unwrap_or(J::Null);
        let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        let mut cfg = S3Config {
            bucket,
            key,
            region: s(c, "region"),
            workspace_key_prefix: prefix,
            use_lockfile: b(c, "use_lockfile"),
            dynamodb_table: s(c, "dynamodb_table"),
            encrypt: b(c, "encrypt"),
            kms_key_id: s(c, "kms_key_id"),
            sse_customer_key: s(c, "sse_customer_key").or_else(|| env("AWS_SSE_CUSTOMER_KEY")),
            acl: s(c, "acl"),
            profile: s(c, "profile"),
            access_key: s(c, "access_key"),
            secret_key: s(c, "secret_key"),
            token: s(c, "token"),
            role_arn: s(&ar, "role_arn"),
            session_name: s(&ar, "session_name"),
            external_id: s(&ar, "external_id"),
            duration: duration(&ar, "duration")?,
            policy: s(&ar, "policy"),
            policy_arns: strs(&ar, "policy_arns"),
            tags: ar
                .get("tags")
                .and_then(J::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
            endpoint_s3: s(&ep, "s3")
                .or_else(|| s(c, "endpoint"))
                .or_else(|| env("AWS_ENDPOINT_URL_S3")),
            endpoint_dynamodb: s(&ep, "dynamodb")
                .or_else(|| s(c, "dynamodb_endpoint"))
                .or_else(|| env("AWS_ENDPOINT_URL_DYNAMODB")),
            endpoint_sts: s(&ep, "sts")
                .or_else(|| s(c, "sts_endpoint"))
                .or_else(|| env("AWS_ENDPOINT_URL_STS")),
            sts_region: s(c, "sts_region"),
            use_path_style: b(c, "use_path_style") || b(c, "force_path_style"),
            skip_s3_checksum: b(c, "skip_s3_checksum"),
            use_fips_endpoint: b(c, "use_fips_endpoint"),
            use_dualstack_endpoint: b(c, "use_dualstack_endpoint"),
            max_retries: c
                .get("max_retries")
                .and_then(J::as_u64)
                .map(|n| n.min(100) as u32),
            retry_mode: s(c, "retry_mode"),
            shared_config_files: strs(c, "shared_config_files"),
            shared_credentials_files: {
                let mut v = strs(c, "shared_credentials_files");
                if let Some(f) = s(c, "shared_credentials_file") {
                    v.push(f);
                }
                v
            },
        };
        if cfg.kms_key_id.is_some() && cfg.sse_customer_key.is_some() {
            return Err("Only one of \"kms_key_id\" and \"sse_customer_key\" can be set.".into());
        }
        if let Some(k) = &cfg.sse_customer_key {
            match base64::engine::general_purpose::STANDARD.decode(k) {
                Ok(raw) if raw.len() == 32 => {}
                _ => {
                    return Err("sse_customer_key must be 44 characters in length (a base64-encoded 256-bit key).".into())
                }
            }
        }
        if cfg.region.is_none() {
            cfg.region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"));
        }
        Ok(cfg)
    }

    /// The object key of workspace `name`'s state.
    pub fn state_key(&self, name: &str) -> String {
        if name == DEFAULT_WORKSPACE {
            self.key.clone()
        } else if self.workspace_key_prefix.is_empty() {
            format!("{name}/{}", self.key)
        } else {
            format!("{}/{name}/{}", self.workspace_key_prefix, self.key)
        }
    }

    /// The workspace an object key belongs to (Terraform's `keyEnv`), if any.
    fn key_workspace(&self, key: &str) -> Option<String> {
        let rest = if self.workspace_key_prefix.is_empty() {
            key
        } else {
            key.strip_prefix(&format!("{}/", self.workspace_key_prefix))?
        };
        let (ws, k) = rest.split_once('/')?;
        (k == self.key && !ws.is_empty()).then(|| ws.to_string())
    }
}

/// The SDK clients of one backend configuration, with the runtime they run on.
struct Inner {
    cfg: S3Config,
    /// Always `Some` until dropped.
    rt: Option<tokio::runtime::Runtime>,
    s3: aws_sdk_s3::Client,
    ddb: Option<aws_sdk_dynamodb::Client>,
}

impl Inner {
    /// Run `f` to completion on the backend's runtime, from any context.
    fn block<F: std::future::Future + Send>(&self, f: F) -> F::Output
    where
        F::Output: Send,
    {
        std::thread::scope(|sc| {
            sc.spawn(|| match &self.rt {
                Some(rt) => rt.block_on(f),
                None => unreachable!("runtime used after drop"),
            })
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }
}

impl Drop for Inner {
    /// The last owner may be inside the engine's runtime, where a runtime
    /// may only be shut down in the background.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// The `s3` backend.
pub struct S3Backend {
    inner: Arc<Inner>,
}

fn err_text<E>(e: &aws_sdk_s3::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (e.code(), e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => DisplayErrorContext(e).to_string(),
    }
}

impl S3Backend {
    /// Set up the clients (nothing is sent yet).
    pub fn new(cfg: S3Config) -> Result<S3Backend, String> {
        // The runtime is built, used and kept on a plain thread: neither
        // building nor blocking on it is allowed inside another runtime.
        let inner = std::thread::spawn(move || -> Result<Inner, String> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let (s3, ddb) = rt.block_on(clients(&cfg))?;
            Ok(Inner {
                cfg,
                rt: Some(rt),
                s3,
                ddb,
            })
        })
        .join()
        .map_err(|_| "setting up the S3 client failed".to_string())??;
        Ok(S3Backend {
            inner: Arc::new(inner),
        })
    }

    pub fn config(&self) -> &S3Config {
        &self.inner.cfg
    }
}

/// `shared_config_files` and `shared_credentials_files`, when set.
// aws-config's loader still takes these types (their replacements live in
// aws-runtime, which herd does not depend on directly).
#[allow(deprecated)]
fn profile_files(cfg: &S3Config) -> Option<aws_config::profile::profile_file::ProfileFiles> {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    if cfg.shared_config_files.is_empty() && cfg.shared_credentials_files.is_empty() {
        return None;
    }
    let mut pf = ProfileFiles::builder();
    for f in &cfg.shared_config_files {
        pf = pf.with_file(ProfileFileKind::Config, f);
    }
    for f in &cfg.shared_credentials_files {
        pf = pf.with_file(ProfileFileKind::Credentials, f);
    }
    Some(pf.build())
}

async fn clients(
    cfg: &S3Config,
) -> Result<(aws_sdk_s3::Client, Option<aws_sdk_dynamodb::Client>), String> {
    use aws_config::retry::RetryConfig;
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(r) = &cfg.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(p) = &cfg.profile {
        loader = loader.profile_name(p);
    }
    if let Some(pf) = profile_files(cfg) {
        loader = loader.profile_files(pf);
    }
    if let (Some(ak), Some(sk)) = (&cfg.access_key, &cfg.secret_key) {
        loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
            ak,
            sk,
            cfg.token.clone(),
            None,
            "backend-config",
        ));
    }
    if cfg.use_fips_endpoint {
        loader = loader.use_fips(true);
    }
    if cfg.use_dualstack_endpoint {
        loader = loader.use_dual_stack(true);
    }
    let mut retry = if cfg.retry_mode.as_deref() == Some("adaptive") {
        RetryConfig::adaptive()
    } else {
        RetryConfig::standard()
    };
    let attempts = cfg
        .max_retries
        .map(|n| n + 1)
        .or_else(|| {
            std::env::var("AWS_MAX_ATTEMPTS")
                .ok()
                .and_then(|s| s.parse().ok())
        })
        .unwrap_or(5);
    retry = retry
        .with_max_attempts(attempts.max(1))
        .with_max_backoff(Duration::from_secs(5));
    loader = loader.retry_config(retry);
    let mut sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err("The s3 backend needs a region: set \"region\" in the backend configuration or the AWS_REGION environment variable.".into());
    }
    if let Some(role) = &cfg.role_arn {
        let mut sts_conf = sdk.clone().into_builder();
        if let Some(e) = &cfg.endpoint_sts {
            sts_conf = sts_conf.endpoint_url(e);
        }
        if let Some(r) = &cfg.sts_region {
            sts_conf = sts_conf.region(Region::new(r.clone()));
        }
        let mut b = aws_config::sts::AssumeRoleProvider::builder(role)
            .configure(&sts_conf.build())
            .session_name(cfg.session_name.clone().unwrap_or_else(|| "herd".into()));
        if let Some(x) = &cfg.external_id {
            b = b.external_id(x);
        }
        if let Some(d) = cfg.duration {
            b = b.session_length(d);
        }
        if let Some(p) = &cfg.policy {
            b = b.policy(p);
        }
        if !cfg.policy_arns.is_empty() {
            b = b.policy_arns(cfg.policy_arns.clone());
        }
        if !cfg.tags.is_empty() {
            b = b.tags(cfg.tags.clone());
        }
        let provider = b.build().await;
        sdk = sdk
            .into_builder()
            .credentials_provider(aws_sdk_s3::config::SharedCredentialsProvider::new(provider))
            .build();
    }
    let mut s3 = aws_sdk_s3::config::Builder::from(&sdk);
    if let Some(e) = &cfg.endpoint_s3 {
        s3 = s3.endpoint_url(e);
    }
    if cfg.use_path_style {
        s3 = s3.force_path_style(true);
    }
    if cfg.skip_s3_checksum {
        s3 = s3.request_checksum_calculation(
            aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
        );
    }
    let ddb = cfg.dynamodb_table.as_ref().map(|_| {
        let mut d = aws_sdk_dynamodb::config::Builder::from(&sdk);
        if let Some(e) = &cfg.endpoint_dynamodb {
            d = d.endpoint_url(e);
        }
        aws_sdk_dynamodb::Client::from_conf(d.build())
    });
    Ok((aws_sdk_s3::Client::from_conf(s3.build()), ddb))
}

impl Backend for S3Backend {
    fn kind(&self) -> &'static str {
        "s3"
    }

    fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let i = &self.inner;
        let prefix = if i.cfg.workspace_key_prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", i.cfg.workspace_key_prefix)
        };
        let keys = i.block(async {
            let mut keys = vec![];
            let mut token = None;
            loop {
                let r =
                    i.s3.list_objects_v2()
                        .bucket(&i.cfg.bucket)
                        .prefix(&prefix)
                        .max_keys(1000)
                        .set_continuation_token(token)
                        .send()
                        .await
                        .map_err(|e| {
                            if e.code() == Some("NoSuchBucket") {
                                format!("S3 bucket {:?} does not exist.", i.cfg.bucket)
                            } else {
                                err_text(&e)
                            }
                        })?;
                keys.extend(
                    r.contents()
                        .iter()
                        .filter_map(|o| o.key().map(str::to_string)),
                );
                match r.next_continuation_token() {
                    Some(t) if r.is_truncated() == Some(true) => token = Some(t.to_string()),
                    _ => break,
                }
            }
            Ok::<_, String>(keys)
        });
        let keys = keys.map_err(|msg| StateError::Remote {
            what: format!("s3://{}/{prefix}", i.cfg.bucket),
            msg,
        })?;
        let mut v: Vec<String> = keys
            .iter()
            .filter_map(|k| i.cfg.key_workspace(k))
            .filter(|w| w != DEFAULT_WORKSPACE)
            .collect();
        v.sort();
        v.dedup();
        v.insert(0, DEFAULT_WORKSPACE.into());
        Ok(v)
    }

    /// Like Terraform: a new workspace is an empty state written under the
    /// lock, so that it is listed.
    fn create_workspace(&self, name: &str) -> Result<(), StateError> {
        if name == DEFAULT_WORKSPACE {
            return Ok(());
        }
        let m = self.state_mgr(name);
        let _lock = m
            .lock("init", Duration::ZERO)
            .map_err(|e| StateError::Remote {
                what: m.describe(),
                msg: e.to_string(),
            })?;
        if m.read()?.is_none() {
            m.persist(None, State::new())?;
        }
        Ok(())
    }

    fn delete_workspace(&self, name: &str) -> Result<(), StateError> {
        if name == DEFAULT_WORKSPACE {
            return Err(StateError::Remote {
                what: "s3".into(),
                msg: "can't delete default state".into(),
            });
        }
        let st = S3State {
            inner: self.inner.clone(),
            key: self.inner.cfg.state_key(name),
        };
        st.delete()
    }

    fn state_mgr(&self, name: &str) -> Arc<dyn StateMgr> {
        Arc::new(S3State {
            inner: self.inner.clone(),
            key: self.inner.cfg.state_key(name),
        })
    }
}

/// One workspace's state object.
pub struct S3State {
    inner: Arc<Inner>,
    key: String,
}

/// Terraform's message when the object does not match the digest.
fn bad_checksum(digest: &str) -> String {
    format!(
        "state data in S3 does not have the expected content.

The checksum calculated for the state stored in S3 does not match the checksum
stored in DynamoDB.

Bucket and key may have been written by a different tool, or the last write
did not finish. Please wait a minute and try again. If this problem persists,
and neither S3 nor DynamoDB are experiencing an outage, you may need to
manually verify the remote state and update the Digest value stored in the
DynamoDB table to the following value: {digest}"
    )
}

impl S3State {
    fn remote_err(&self, msg: String) -> StateError {
        StateError::Remote {
            what: self.describe(),
            msg,
        }
    }

    fn lock_id(&self) -> String {
        format!("{}/{}", self.inner.cfg.bucket, self.key)
    }

    fn lock_key(&self) -> String {
        format!("{}.tflock", self.key)
    }

    fn sse_c(&self) -> Option<(String, String)> {
        let k = self.inner.cfg.sse_customer_key.as_ref()?;
        let raw = base64::engine::general_purpose::STANDARD.decode(k).ok()?;
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&raw));
        Some((k.clone(), md5))
    }

    /// PutObject with the backend's encryption and ACL settings.
    fn put_request(
        &self,
        key: &str,
        body: Vec<u8>,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        use aws_sdk_s3::types::{ObjectCannedAcl, ServerSideEncryption};
        let c = &self.inner.cfg;
        let len = body.len() as i64;
        let mut r = self
            .inner
            .s3
            .put_object()
            .bucket(&c.bucket)
            .key(key)
            .content_type("application/json")
            .content_length(len)
            .body(ByteStream::from(body));
        if let Some((k, md5)) = self.sse_c() {
            r = r
                .sse_customer_algorithm("AES256")
                .sse_customer_key(k)
                .sse_customer_key_md5(md5);
        } else if c.encrypt {
            match &c.kms_key_id {
                Some(kms) => {
                    r = r
                        .server_side_encryption(ServerSideEncryption::AwsKms)
                        .ssekms_key_id(kms)
                }
                None => r = r.server_side_encryption(ServerSideEncryption::Aes256),
            }
        }
        if let Some(acl) = &c.acl {
            r = r.acl(ObjectCannedAcl::from(acl.as_str()));
        }
        r
    }

    async fn get_object(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        let c = &self.inner.cfg;
        let mut r = self.inner.s3.get_object().bucket(&c.bucket).key(key);
        if let Some((k, md5)) = self.sse_c() {
            r = r
                .sse_customer_algorithm("AES256")
                .sse_customer_key(k)
                .sse_customer_key_md5(md5);
        }
        match r.send().await {
            Ok(o) => o
                .body
                .collect()
                .await
                .map(|b| Some(b.into_bytes().to_vec()))
                .map_err(|e| e.to_string()),
            Err(e) if e.code() == Some("NoSuchKey") => Ok(None),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
                if e.code() == Some("NoSuchBucket") {
                    Err(format!("S3 bucket {:?} does not exist.", c.bucket))
                } else {
                    Ok(None)
                }
            }
            Err(e) => Err(err_text(&e)),
        }
    }

    async fn get_digest(&self) -> Result<Option<String>, String> {
        let (Some(ddb), Some(table)) = (&self.inner.ddb, &self.inner.cfg.dynamodb_table) else {
            return Ok(None);
        };
        let r = ddb
            .get_item()
            .table_name(table)
            .key(
                "LockID",
                AttributeValue::S(format!("{}-md5", self.lock_id())),
            )
            .projection_expression("LockID, Digest")
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| dd_err(&e))?;
        Ok(r.item()
            .and_then(|i| i.get("Digest"))
            .and_then(|v| v.as_s().ok())
            .filter(|s| !s.is_empty())
            .cloned())
    }

    async fn put_digest(&self, digest: Option<String>) -> Result<(), String> {
        let (Some(ddb), Some(table)) = (&self.inner.ddb, &self.inner.cfg.dynamodb_table) else {
            return Ok(());
        };
        let id = AttributeValue::S(format!("{}-md5", self.lock_id()));
        match digest {
            Some(d) => ddb
                .put_item()
                .table_name(table)
                .item("LockID", id)
                .item("Digest", AttributeValue::S(d))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| dd_err(&e)),
            None => ddb
                .delete_item()
                .table_name(table)
                .key("LockID", id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| dd_err(&e)),
        }
    }

    fn delete(&self) -> Result<(), StateError> {
        let c = &self.inner.cfg;
        self.inner
            .block(async {
                self.inner
                    .s3
                    .delete_object()
                    .bucket(&c.bucket)
                    .key(&self.key)
                    .send()
                    .await
                    .map_err(|e| err_text(&e))?;
                self.put_digest(None).await
            })
            .map_err(|m: String| self.remote_err(m))
    }

    /// The lock info in the lock object, if there is one.
    async fn lockfile_info(&self) -> Result<Option<LockInfo>, String> {
        Ok(self
            .get_object(&self.lock_key())
            .await?
            .and_then(|b| serde_json::from_slice(&b).ok()))
    }

    async fn ddb_info(&self) -> Result<Option<LockInfo>, String> {
        let (Some(ddb), Some(table)) = (&self.inner.ddb, &self.inner.cfg.dynamodb_table) else {
            return Ok(None);
        };
        let r = ddb
            .get_item()
            .table_name(table)
            .key("LockID", AttributeValue::S(self.lock_id()))
            .projection_expression("LockID, Info")
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| dd_err(&e))?;
        Ok(r.item()
            .and_then(|i| i.get("Info"))
            .and_then(|v| v.as_s().ok())
            .and_then(|s| serde_json::from_str(s).ok()))
    }

    /// One attempt to take both locks (the object first, then the item, as
    /// Terraform does); `Err(Held)` when someone else holds either.
    async fn try_lock(&self, info: &LockInfo) -> Result<(), LockError> {
        let json = serde_json::to_string(info).unwrap_or_default();
        let c = &self.inner.cfg;
        if c.use_lockfile {
            let r = self
                .put_request(&self.lock_key(), json.clone().into_bytes())
                .if_none_match("*")
                .send()
                .await;
            if let Err(e) = r {
                let code = e.code().unwrap_or("").to_string();
                let status = e.raw_response().map(|r| r.status().as_u16());
                let msg = format!("operation error S3: PutObject, {}", err_text(&e));
                if code == "PreconditionFailed"
                    || code == "ConditionalRequestConflict"
                    || status == Some(412)
                    || status == Some(409)
                {
                    let info = self.lockfile_info().await.ok().flatten().map(Box::new);
                    return Err(LockError::RemoteHeld { msg, info });
                }
                return Err(LockError::RemoteAcquire(msg));
            }
        }
        if let (Some(ddb), Some(table)) = (&self.inner.ddb, &c.dynamodb_table) {
            let r = ddb
                .put_item()
                .table_name(table)
                .item("LockID", AttributeValue::S(self.lock_id()))
                .item("Info", AttributeValue::S(json))
                .condition_expression("attribute_not_exists(LockID)")
                .send()
                .await;
            if let Err(e) = r {
                let held = e.code() == Some("ConditionalCheckFailedException");
                let msg = format!("operation error DynamoDB: PutItem, {}", dd_err(&e));
                if c.use_lockfile {
                    let _ = self.delete_lockfile(&info.id).await;
                }
                if held {
                    let info = self.ddb_info().await.ok().flatten().map(Box::new);
                    return Err(LockError::RemoteHeld { msg, info });
                }
                return Err(LockError::RemoteAcquire(msg));
            }
        }
        Ok(())
    }

    async fn delete_lockfile(&self, id: &str) -> Result<(), LockError> {
        let c = &self.inner.cfg;
        let info = self.lockfile_info().await.map_err(LockError::Remote)?;
        match info {
            None => Err(LockError::Remote(format!(
                "failed to retrieve lock info for lock ID {id:?}: the lock object s3://{}/{} does not exist",
                c.bucket,
                self.lock_key()
            ))),
            Some(i) if i.id != id => Err(LockError::Remote(format!(
                "lock ID {id:?} does not match existing lock ID {:?}",
                i.id
            ))),
            Some(_) => self
                .inner
                .s3
                .delete_object()
                .bucket(&c.bucket)
                .key(self.lock_key())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| LockError::Remote(err_text(&e))),
        }
    }

    async fn delete_ddb_lock(&self, id: &str) -> Result<(), LockError> {
        let (Some(ddb), Some(table)) = (&self.inner.ddb, &self.inner.cfg.dynamodb_table) else {
            return Ok(());
        };
        match self.ddb_info().await.map_err(LockError::Remote)? {
            None => Err(LockError::Remote(format!(
                "failed to retrieve lock info for lock ID {id:?}: no lock item {:?} in DynamoDB table {table:?}",
                self.lock_id()
            ))),
            Some(i) if i.id != id => Err(LockError::Remote(format!(
                "lock ID {id:?} does not match existing lock ID {:?}",
                i.id
            ))),
            Some(_) => ddb
                .delete_item()
                .table_name(table)
                .key("LockID", AttributeValue::S(self.lock_id()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| LockError::Remote(dd_err(&e))),
        }
    }

    /// Release both locks held under `id`; every failure is reported.
    fn unlock(&self, id: &str) -> Result<(), LockError> {
        let c = &self.inner.cfg;
        self.inner.block(async {
            let mut errs = vec![];
            if c.use_lockfile {
                if let Err(e) = self.delete_lockfile(id).await {
                    errs.push(e.to_string());
                }
            }
            if c.dynamodb_table.is_some() {
                if let Err(e) = self.delete_ddb_lock(id).await {
                    errs.push(e.to_string());
                }
            }
            if errs.is_empty() {
                Ok(())
            } else {
                Err(LockError::Remote(errs.join("\n")))
            }
        })
    }
}

fn dd_err<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (e.code(), e.message()) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        _ => aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string(),
    }
}

/// A held S3/DynamoDB lock: released (by ID) when dropped.
struct S3LockGuard {
    state: S3State,
    id: String,
}

impl Drop for S3LockGuard {
    fn drop(&mut self) {
        if let Err(e) = self.state.unlock(&self.id) {
            eprintln!(
                "╷\n│ Error: Error releasing the state lock\n│ \n│ Error message: {e}\n│ \n│ herd acquired a lock on the state, but could not unlock it. Release it\n│ with \"herd force-unlock {}\" once no other herd process uses the state.\n╵",
                self.id
            );
        }
    }
}

impl StateMgr for S3State {
    fn describe(&self) -> String {
        format!("s3://{}/{}", self.inner.cfg.bucket, self.key)
    }

    fn read(&self) -> Result<Option<State>, StateError> {
        let what = self.describe();
        let bytes = self
            .inner
            .block(async {
                // The digest may lag a write that just finished elsewhere:
                // retry for up to 10 seconds, as Terraform does.
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    let body = self.get_object(&self.key).await?;
                    let want = self.get_digest().await?;
                    let have = body.as_ref().map(|b| hex(&Md5::digest(b)));
                    match (&want, &have) {
                        (Some(w), Some(h)) if w != h => {}
                        _ => return Ok::<Option<Vec<u8>>, String>(body),
                    }
                    if Instant::now() >= deadline {
                        return Err(bad_checksum(have.as_deref().unwrap_or("")));
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            })
            .map_err(|m| self.remote_err(m))?;
        match bytes {
            None => Ok(None),
            Some(b) => super::from_bytes(&b, &what),
        }
    }

    fn write(&self, s: &State) -> Result<(), StateError> {
        let bytes = super::to_bytes(s, &self.describe())?;
        let digest = hex(&Md5::digest(&bytes));
        self.inner
            .block(async {
                self.put_request(&self.key, bytes)
                    .send()
                    .await
                    .map_err(|e| format!("failed to upload state: {}", err_text(&e)))?;
                self.put_digest(Some(digest)).await
            })
            .map_err(|m: String| self.remote_err(m))
    }

    fn lock(&self, operation: &str, timeout: Duration) -> Result<StateLock, LockError> {
        let info = LockInfo::for_path(&self.lock_id(), operation);
        let deadline = Instant::now() + timeout;
        let mut wait = Duration::from_millis(500);
        loop {
            match self.inner.block(self.try_lock(&info)) {
                Ok(()) => break,
                Err(LockError::RemoteHeld { msg, info: held }) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(LockError::RemoteHeld { msg, info: held });
                    }
                    std::thread::sleep(wait.min(deadline - now));
                    wait = (wait * 2).min(Duration::from_secs(4));
                }
                Err(e) => return Err(e),
            }
        }
        let guard = S3LockGuard {
            state: S3State {
                inner: self.inner.clone(),
                key: self.key.clone(),
            },
            id: info.id.clone(),
        };
        Ok(StateLock::new(info, Box::new(guard)))
    }

    fn force_unlock(&self, id: &str) -> Result<(), LockError> {
        self.unlock(id)
    }

    fn is_local(&self) -> bool {
        false
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_keys() {
        let cfg = S3Config::from_json(&serde_json::json!({
            "bucket": "b", "key": "app/terraform.tfstate", "region": "us-east-1"
        }))
        .unwrap();
        assert_eq!(cfg.state_key("default"), "app/terraform.tfstate");
        assert_eq!(cfg.state_key("dev"), "env:/dev/app/terraform.tfstate");
        assert_eq!(
            cfg.key_workspace("env:/dev/app/terraform.tfstate")
                .as_deref(),
            Some("dev")
        );
        assert_eq!(cfg.key_workspace("env:/dev/other.tfstate"), None);
        assert_eq!(
            cfg.key_workspace("env:/dev/app/terraform.tfstate.tflock"),
            None
        );
        let cfg = S3Config::from_json(&serde_json::json!({
            "bucket": "b", "key": "k", "region": "us-east-1", "workspace_key_prefix": ""
        }))
        .unwrap();
        assert_eq!(cfg.state_key("dev"), "dev/k");
        assert_eq!(cfg.key_workspace("dev/k").as_deref(), Some("dev"));
        assert!(S3Config::from_json(&serde_json::json!({"bucket": "b", "region": "r"})).is_err());
        assert!(S3Config::from_json(&serde_json::json!({
            "bucket": "b", "key": "k", "region": "r", "http_proxy": "x"
        }))
        .unwrap_err()
        .contains("http_proxy"));
    }
}

//! A moto server (AWS API mock) for the AWS integration tests.
//!
//! One server per test binary, on a free 127.0.0.1 port, started on first
//! use. Each test takes [`Moto::start`]'s guard, which serialises the tests
//! of the binary and resets the server (`POST /moto-api/reset`). herd runs
//! with `AWS_ENDPOINT_URL` pointing at it and dummy credentials; tests check
//! results through their own AWS SDK client ([`Moto::ec2`]), not herd's state.
//!
//! The server is `$HERD_MOTO_BIN`, else `moto_server` of the venv that
//! `scripts/moto-venv` (run by `scripts/test`) installs; without either the
//! tests fail, saying so.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub struct Server {
    pub port: u16,
    _child: Child,
}

pub struct Moto {
    pub port: u16,
    pub endpoint: String,
    pub rt: tokio::runtime::Runtime,
    _guard: MutexGuard<'static, ()>,
}

pub fn moto_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("HERD_MOTO_BIN") {
        return PathBuf::from(p);
    }
    let venv = std::env::var_os("HERD_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/herd/venv")
        });
    let p = venv.join("bin/moto_server");
    if p.exists() {
        return p;
    }
    panic!(
        "moto_server not found: HERD_MOTO_BIN is unset and {} does not exist.\n\
         The AWS integration tests need moto; run `scripts/test` (or `scripts/moto-venv`) \
         to install it, then run the tests again.",
        p.display()
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 request to the moto server; returns the status code.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    let code = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok(code)
}

fn server(acm_wait: u32) -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let bin = moto_bin();
        let port = free_port();
        // The shell ends moto when this process ends (its stdin closes), so
        // no server outlives the test binary.
        let script = r#"MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT="$3" "$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 & pid=$!; read _ ; kill $pid"#;
        let log = std::env::temp_dir().join(format!("herd-moto-{port}.log"));
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&bin)
            .arg(port.to_string())
            .arg(&log)
            .arg(acm_wait.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let start = Instant::now();
        loop {
            if let Ok(c) = http(port, "GET", "/moto-api/") {
                if c != 0 {
                    break;
                }
            }
            if start.elapsed() > Duration::from_secs(60) {
                let l = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("moto_server did not start on port {port}:\n{l}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Server {
            port,
            _child: child,
        }
    })
}

impl Moto {
    /// The (reset) server, held exclusively by the calling test.
    pub fn start() -> Moto {
        Moto::start_with_acm_wait(3)
    }

    /// As [`Moto::start`]; moto issues ACM certificates `secs` seconds after
    /// they are requested (the first test of a binary to start the server
    /// decides).
    pub fn start_with_acm_wait(secs: u32) -> Moto {
        static LOCK: Mutex<()> = Mutex::new(());
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let port = server(secs).port;
        let code = http(port, "POST", "/moto-api/reset").expect("reset moto");
        assert_eq!(code, 200, "POST /moto-api/reset");
        Moto {
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            _guard: guard,
        }
    }

    /// `herd` in `dir`, pointed at this server.
    pub fn herd(&self, dir: &Path) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("herd").expect("binary built");
        c.arg(format!("-chdir={}", dir.display()));
        c.env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_DEFAULT_REGION")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // moto answers operations it lacks with HTTP 500, which the SDK
            // would retry: once is enough here.
            .env("AWS_MAX_ATTEMPTS", "2")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        c
    }

    /// An EC2 client of the test's own, for checking what herd did.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::Config::builder()
            .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
            .region(aws_sdk_ec2::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    /// SDK configuration for the test's own clients of any service, e.g.
    /// `aws_sdk_ecs::Client::new(&m.sdk())`.
    pub fn sdk(&self) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(
                aws_sdk_ec2::config::Credentials::new("testing", "testing", None, None, "test"),
            ))
            .build()
    }

    /// An S3 client of the test's own (path-style addressing, as moto needs).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk())
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// A DynamoDB client of the test's own.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.sdk())
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Output of a finished herd run, for assertion messages.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Run herd with `args`; panics with its output unless it exits with `code`.
pub fn run(m: &Moto, dir: &Path, args: &[&str], code: i32) -> String {
    let o = m.herd(dir).args(args).output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "herd {args:?}\n{t}");
    t
}

pub fn apply(m: &Moto, dir: &Path) -> String {
    run(
        m,
        dir,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        0,
    )
}

pub fn destroy(m: &Moto, dir: &Path) -> String {
    run(
        m,
        dir,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        0,
    )
}

/// `plan -detailed-exitcode`: 0 = no changes, 2 = changes.
pub fn plan(m: &Moto, dir: &Path, code: i32) -> String {
    run(
        m,
        dir,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        code,
    )
}

/// The attributes of a resource instance in herd's state file.
pub fn state_attrs(dir: &Path, addr: &str) -> serde_json::Value {
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap())
            .unwrap();
    for r in s["resources"].as_array().unwrap() {
        let base = format!(
            "{}{}.{}",
            if r["mode"] == "data" { "data." } else { "" },
            r["type"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        );
        for i in r["instances"].as_array().unwrap() {
            let a = match &i["index_key"] {
                serde_json::Value::Null => base.clone(),
                serde_json::Value::String(k) => format!("{base}[\"{k}\"]"),
                k => format!("{base}[{k}]"),
            };
            if a == addr {
                return i["attributes"].clone();
            }
        }
    }
    panic!("{addr} not in state");
}

pub fn tags_map(tags: &[aws_sdk_ec2::types::Tag]) -> std::collections::BTreeMap<String, String> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

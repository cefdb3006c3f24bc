//! Module sources end to end: path resolution (`../../` from `examples/`),
//! `herd init` installing from a module registry (a real HTTP server on
//! 127.0.0.1 written here: discovery, versions, download, archives) and from
//! git repositories (made with the git CLI in temp dirs), version
//! constraints, `-upgrade`, nested modules, failures that leave nothing
//! half-installed, `.terraform/modules/modules.json` in Terraform's format,
//! `required_version`, `required_providers`, the lock file, and — where real
//! Terraform is on the machine — directories initialised by one tool used
//! by the other.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command as Proc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;

mod common;
use predicates::prelude::*;

fn herd() -> Command {
    let mut c = Command::cargo_bin("herd").expect("binary built");
    // No user CLI configuration or tokens leak into the tests.
    c.env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("HOME", std::env::temp_dir())
        .timeout(Duration::from_secs(120));
    c
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    herd()
        .arg(format!("-chdir={}", dir.display()))
        .args(args)
        .assert()
}

fn init(dir: &Path) -> assert_cmd::assert::Assert {
    run(dir, &["init", "-no-color"])
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Apply (outputs only, no AWS) and return the output values.
fn outputs(dir: &Path) -> serde_json::Value {
    run(
        dir,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .success();
    let out = herd()
        .arg(format!("-chdir={}", dir.display()))
        .args(["output", "-json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut m = serde_json::Map::new();
    for (k, v) in j.as_object().unwrap() {
        m.insert(k.clone(), v["value"].clone());
    }
    serde_json::Value::Object(m)
}

fn manifest(dir: &Path) -> serde_json::Value {
    let t = std::fs::read_to_string(dir.join(".terraform/modules/modules.json")).unwrap();
    serde_json::from_str(&t).unwrap()
}

fn record<'a>(m: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    m["Modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Key"] == key)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Proc::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git repository with one commit per `(tag, files)` step.
fn git_repo(dir: &Path, steps: &[(&str, &[(&str, &str)])]) -> String {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    for (tag, files) in steps {
        for (name, text) in *files {
            write(dir, name, text);
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", tag]);
        git(dir, &["tag", tag]);
    }
    format!("file://{}", dir.display())
}

/// A module that reports its version.
fn version_module(v: &str) -> String {
    format!("variable \"name\" {{\n  default = \"m\"\n}}\noutput \"version\" {{\n  value = \"{v}\"\n}}\noutput \"name\" {{\n  value = var.name\n}}\n")
}

fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, text.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn zip_bytes(files: &[(&str, &str)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// "ns/name/provider" → [(version, X-Terraform-Get location)]
type Listing = HashMap<String, Vec<(String, String)>>;

/// A module registry on 127.0.0.1: `/.well-known/terraform.json`,
/// `/v1/modules/NS/NAME/PROVIDER/versions`, `…/VERSION/download` (204 with
/// `X-Terraform-Get`), and files under `/files/`. The namespace `private`
/// answers only requests with `Authorization: Bearer secret`.
#[derive(Clone)]
struct Registry {
    host: String,
    modules: Arc<Mutex<Listing>>,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Registry {
    fn start() -> Registry {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let r = Registry {
            host: l.local_addr().unwrap().to_string(),
            modules: Default::default(),
            files: Default::default(),
            log: Default::default(),
        };
        let srv = r.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                let srv = srv.clone();
                std::thread::spawn(move || srv.serve(s));
            }
        });
        r
    }

    fn add(&self, module: &str, version: &str, location: &str) {
        self.modules
            .lock()
            .unwrap()
            .entry(module.into())
            .or_default()
            .push((version.into(), location.into()));
    }

    fn file(&self, name: &str, data: Vec<u8>) -> String {
        self.files.lock().unwrap().insert(name.into(), data);
        format!("http://{}/files/{name}", self.host)
    }

    fn serve(&self, mut s: std::net::TcpStream) {
        s.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        if r.read_line(&mut line).is_err() {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut auth = String::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("authorization") {
                    auth = v.trim().to_string();
                }
            }
        }
        self.log.lock().unwrap().push(path.clone());
        let (status, headers, body) = self.answer(&path, &auth);
        let mut resp = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            resp.push_str(&format!("{k}: {v}\r\n"));
        }
        resp.push_str("\r\n");
        let _ = s.write_all(resp.as_bytes());
        let _ = s.write_all(&body);
    }

    fn answer(&self, path: &str, auth: &str) -> (&'static str, Vec<(String, String)>, Vec<u8>) {
        let path = path.split('?').next().unwrap_or(path);
        let json = |v: serde_json::Value| {
            (
                "200 OK",
                vec![("Content-Type".into(), "application/json".into())],
                v.to_string().into_bytes(),
            )
        };
        let not_found = ("404 Not Found", vec![], b"not found".to_vec());
        if path == "/.well-known/terraform.json" {
            return json(serde_json::json!({"modules.v1": "/v1/modules/"}));
        }
        if let Some(name) = path.strip_prefix("/files/") {
            return match self.files.lock().unwrap().get(name) {
                Some(d) => ("200 OK", vec![], d.clone()),
                None => not_found,
            };
        }
        let Some(rest) = path.strip_prefix("/v1/modules/") else {
            return not_found;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() < 4 {
            return not_found;
        }
        if parts[0] == "private" && auth != "Bearer secret" {
            return ("401 Unauthorized", vec![], b"unauthorized".to_vec());
        }
        let module = parts[..3].join("/");
        let mods = self.modules.lock().unwrap();
        let Some(versions) = mods.get(&module) else {
            return not_found;
        };
        match &parts[3..] {
            ["versions"] => json(serde_json::json!({"modules": [{"versions":
                versions.iter().map(|(v, _)| serde_json::json!({"version": v})).collect::<Vec<_>>()}]})),
            [v, "download"] => match versions.iter().find(|(x, _)| x == v) {
                Some((_, loc)) => (
                    "204 No Content",
                    vec![("X-Terraform-Get".into(), loc.clone())],
                    vec![],
                ),
                None => not_found,
            },
            _ => not_found,
        }
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    match std::fs::read_dir(dir.join(".terraform/modules")) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "modules.json")
            .collect(),
        Err(_) => vec![],
    }
}

// ---------------------------------------------------------------------------
// Path resolution

#[test]
fn parent_dir_sources_plan_instantly() {
    // The two-line reproduction of the hang: a root module with one output
    // and an example calling it twice with `../../`.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", "output \"o\" { value = 1 }\n");
    write(
        d.path(),
        "examples/ex/main.tf",
        "module \"a\" { source = \"../../\" }\nmodule \"b\" { source = \"../../\" }\n",
    );
    let ex = d.path().join("examples/ex");
    let start = std::time::Instant::now();
    herd()
        .timeout(Duration::from_secs(20))
        .arg(format!("-chdir={}", ex.display()))
        .args(["plan", "-no-color", "-input=false"])
        .assert()
        .success();
    assert!(start.elapsed() < Duration::from_secs(10));
    // And from inside the directory itself (the path then starts with `..`).
    herd()
        .timeout(Duration::from_secs(20))
        .current_dir(&ex)
        .args(["validate", "-no-color"])
        .assert()
        .success()
        .stdout(predicate::str::contains("The configuration is valid"));
}

#[test]
fn terraform_aws_modules_layout_works() {
    // A module repository: the module at the top, submodules under
    // modules/, examples/complete calling both with `../../`.
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "variable \"name\" { type = string }\nmodule \"label\" {\n  source = \"./modules/label\"\n  name   = var.name\n}\noutput \"id\" { value = module.label.id }\n",
    );
    write(
        d.path(),
        "modules/label/main.tf",
        "variable \"name\" { type = string }\noutput \"id\" { value = \"label-${var.name}\" }\n",
    );
    write(
        d.path(),
        "examples/complete/main.tf",
        "module \"root\" {\n  source = \"../../\"\n  name   = \"a\"\n}\nmodule \"sub\" {\n  source = \"../../modules/label\"\n  name   = \"b\"\n}\noutput \"root\" { value = module.root.id }\noutput \"sub\" { value = module.sub.id }\n",
    );
    let ex = d.path().join("examples/complete");
    init(&ex).success();
    let o = outputs(&ex);
    assert_eq!(o["root"], "label-a");
    assert_eq!(o["sub"], "label-b");
    let m = manifest(&ex);
    // As Terraform records them: the source cleaned, `../..` kept.
    assert_eq!(record(&m, "root").unwrap()["Source"], "../..");
    assert_eq!(record(&m, "root").unwrap()["Dir"], "../..");
    assert_eq!(
        record(&m, "root.label").unwrap()["Dir"],
        "../../modules/label"
    );
    assert_eq!(record(&m, "sub").unwrap()["Dir"], "../../modules/label");
}

#[test]
fn a_module_calling_itself_is_an_error_not_a_hang() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "module \"a\" { source = \"./modules/a\" }\n",
    );
    write(
        d.path(),
        "modules/a/main.tf",
        "module \"again\" { source = \"../a\" }\n",
    );
    let a = herd()
        .timeout(Duration::from_secs(20))
        .arg(format!("-chdir={}", d.path().display()))
        .args(["validate", "-no-color"])
        .assert()
        .code(1);
    let e = stderr(&a);
    assert!(e.contains("Error: Module calls itself"), "{e}");
    assert!(e.contains("modules/a/main.tf line 1"), "{e}");
    init(d.path())
        .code(1)
        .stderr(predicate::str::contains("Module calls itself"));
}

// ---------------------------------------------------------------------------
// git sources

#[test]
fn git_sources_install_with_ref_depth_and_subdir() {
    let d = tempfile::tempdir().unwrap();
    let url = git_repo(
        &d.path().join("repo"),
        &[
            (
                "v1.0.0",
                &[
                    ("main.tf", &version_module("1.0.0")),
                    (
                        "modules/sub/main.tf",
                        "output \"s\" { value = \"sub-1\" }\n",
                    ),
                ],
            ),
            (
                "v2.0.0",
                &[
                    ("main.tf", &version_module("2.0.0")),
                    (
                        "modules/sub/main.tf",
                        "output \"s\" { value = \"sub-2\" }\n",
                    ),
                ],
            ),
        ],
    );
    let root = d.path().join("root");
    write(
        &root,
        "main.tf",
        &format!(
            "module \"v1\" {{\n  source = \"git::{url}?ref=v1.0.0\"\n}}\nmodule \"shallow\" {{\n  source = \"git::{url}?ref=v2.0.0&depth=1\"\n}}\nmodule \"sub\" {{\n  source = \"git::{url}//modules/sub?ref=v1.0.0\"\n}}\noutput \"v1\" {{ value = module.v1.version }}\noutput \"shallow\" {{ value = module.shallow.version }}\noutput \"sub\" {{ value = module.sub.s }}\n"
        ),
    );
    // Not installed yet: Terraform's message.
    run(&root, &["plan", "-no-color"])
        .code(1)
        .stderr(predicate::str::contains("Error: Module not installed"))
        .stderr(predicate::str::contains(
            "This module is not yet installed. Run \"terraform init\"",
        ));
    let a = init(&root).success();
    let out = stdout(&a);
    assert!(out.contains("Initializing modules..."), "{out}");
    assert!(
        out.contains(&format!(
            "Downloading git::{url}?ref=v2.0.0&depth=1 for shallow...\n- shallow in .terraform/modules/shallow\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Downloading git::{url}?ref=v1.0.0 for sub...\n- sub in .terraform/modules/sub/modules/sub\n"
        )),
        "{out}"
    );
    let o = outputs(&root);
    assert_eq!(o["v1"], "1.0.0");
    assert_eq!(o["shallow"], "2.0.0");
    assert_eq!(o["sub"], "sub-1");
    let m = manifest(&root);
    assert_eq!(
        record(&m, "sub").unwrap(),
        &serde_json::json!({"Key": "sub", "Source": format!("git::{url}//modules/sub?ref=v1.0.0"), "Dir": ".terraform/modules/sub/modules/sub"})
    );
    assert_eq!(
        record(&m, "").unwrap(),
        &serde_json::json!({"Key": "", "Source": "", "Dir": "."})
    );
    // A second init downloads nothing.
    let a = init(&root).success();
    assert!(!stdout(&a).contains("Downloading"), "{}", stdout(&a));
    // Changing the ref without init: Terraform's "source has changed".
    let text = std::fs::read_to_string(root.join("main.tf")).unwrap();
    write(
        &root,
        "main.tf",
        &text.replacen("?ref=v1.0.0\"", "?ref=v2.0.0\"", 1),
    );
    run(&root, &["plan", "-no-color"])
        .code(1)
        .stderr(predicate::str::contains("Error: Module source has changed"));
    init(&root)
        .success()
        .stdout(predicate::str::contains(format!(
            "Downloading git::{url}?ref=v2.0.0 for v1..."
        )));
    assert_eq!(outputs(&root)["v1"], "2.0.0");
}

#[test]
fn git_failures_leave_nothing_behind() {
    let d = tempfile::tempdir().unwrap();
    let url = git_repo(
        &d.path().join("repo"),
        &[("v1.0.0", &[("main.tf", &version_module("1"))])],
    );
    let root = d.path().join("root");
    write(
        &root,
        "main.tf",
        &format!("module \"bad_ref\" {{\n  source = \"git::{url}?ref=v9.9.9\"\n}}\nmodule \"no_repo\" {{\n  source = \"git::file:///nonexistent/repo\"\n}}\nmodule \"no_subdir\" {{\n  source = \"git::{url}//nothere?ref=v1.0.0\"\n}}\n"),
    );
    let a = init(&root).code(1);
    let e = stderr(&a);
    assert_eq!(
        e.matches("Error: Failed to download module").count(),
        3,
        "{e}"
    );
    assert!(
        e.contains("Could not download module \"bad_ref\" (main.tf:1) source code"),
        "{e}"
    );
    assert!(e.contains("git exited with"), "{e}");
    assert!(
        e.contains("the package has no subdirectory \"nothere\""),
        "{e}"
    );
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    let m = manifest(&root);
    assert!(record(&m, "bad_ref").is_none());
}

#[test]
fn nested_remote_modules_get_their_own_keys() {
    let d = tempfile::tempdir().unwrap();
    let inner = git_repo(
        &d.path().join("inner"),
        &[("v1", &[("main.tf", "output \"x\" { value = \"inner\" }\n")])],
    );
    let outer = git_repo(
        &d.path().join("outer"),
        &[(
            "v1",
            &[
                (
                    "main.tf",
                    &format!("module \"local\" {{\n  source = \"./modules/local\"\n}}\nmodule \"inner\" {{\n  source = \"git::{inner}?ref=v1\"\n}}\noutput \"x\" {{ value = \"${{module.local.x}}+${{module.inner.x}}\" }}\n"),
                ),
                ("modules/local/main.tf", "output \"x\" { value = \"local\" }\n"),
            ],
        )],
    );
    let root = d.path().join("root");
    write(
        &root,
        "main.tf",
        &format!("module \"a\" {{\n  source = \"git::{outer}?ref=v1\"\n}}\nmodule \"b\" {{\n  source = \"git::{outer}?ref=v1\"\n}}\noutput \"a\" {{ value = module.a.x }}\noutput \"b\" {{ value = module.b.x }}\n"),
    );
    let a = init(&root).success();
    let out = stdout(&a);
    assert!(
        out.contains("- a.local in .terraform/modules/a/modules/local\n"),
        "{out}"
    );
    assert!(
        out.contains("- a.inner in .terraform/modules/a.inner\n"),
        "{out}"
    );
    assert!(out.contains("- b in .terraform/modules/b\n"), "{out}");
    let o = outputs(&root);
    assert_eq!(o["a"], "local+inner");
    assert_eq!(o["b"], "local+inner");
    let m = manifest(&root);
    assert_eq!(record(&m, "a.local").unwrap()["Source"], "./modules/local");
    assert_eq!(
        record(&m, "b.inner").unwrap()["Dir"],
        ".terraform/modules/b.inner"
    );
}

// ---------------------------------------------------------------------------
// The registry protocol

fn registry_module(reg: &Registry, module: &str, version: &str) {
    let name = format!("{}-{version}.tar.gz", module.replace('/', "-"));
    reg.file(&name, tar_gz(&[("main.tf", &version_module(version))]));
    // A relative location, resolved against the download URL.
    reg.add(module, version, &format!("/files/{name}"));
}

#[test]
fn registry_constraints_and_upgrade() {
    let reg = Registry::start();
    for v in ["1.0.0", "1.1.0", "1.2.0-beta1", "2.0.0", "2.1.0-rc1"] {
        registry_module(&reg, "acme/net/aws", v);
    }
    let d = tempfile::tempdir().unwrap();
    let h = &reg.host;
    write(
        d.path(),
        "main.tf",
        &format!("module \"pess\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \"~> 1.0\"\n}}\nmodule \"range\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \">= 1.0, < 2.0, != 1.1.0\"\n}}\nmodule \"exact\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \"= 1.0.0\"\n}}\nmodule \"pre\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \"1.2.0-beta1\"\n}}\nmodule \"newest\" {{\n  source = \"{h}/acme/net/aws\"\n}}\nmodule \"lt\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \"< 1.1\"\n}}\nmodule \"gt\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \"> 1.0.0, <= 1.1.0\"\n}}\noutput \"v\" {{ value = {{ pess = module.pess.version, range = module.range.version, exact = module.exact.version, pre = module.pre.version, newest = module.newest.version, lt = module.lt.version, gt = module.gt.version }} }}\n"),
    );
    let a = init(d.path()).success();
    let out = stdout(&a);
    assert!(
        out.contains(&format!(
            "Downloading {h}/acme/net/aws 1.1.0 for pess...\n- pess in .terraform/modules/pess\n"
        )),
        "{out}"
    );
    assert_eq!(
        outputs(d.path())["v"],
        serde_json::json!({"pess": "1.1.0", "range": "1.0.0", "exact": "1.0.0", "pre": "1.2.0-beta1", "newest": "2.0.0", "lt": "1.0.0", "gt": "1.1.0"})
    );
    let m = manifest(d.path());
    assert_eq!(
        record(&m, "pess").unwrap(),
        &serde_json::json!({"Key": "pess", "Source": format!("{h}/acme/net/aws"), "Version": "1.1.0", "Dir": ".terraform/modules/pess"})
    );
    // A newer matching release: plain init keeps what is installed,
    // -upgrade takes it.
    registry_module(&reg, "acme/net/aws", "1.3.0");
    let a = init(d.path()).success();
    assert!(!stdout(&a).contains("Downloading"), "{}", stdout(&a));
    assert_eq!(outputs(d.path())["v"]["pess"], "1.1.0");
    let a = run(d.path(), &["init", "-upgrade", "-no-color"]).success();
    let out = stdout(&a);
    assert!(out.contains("Upgrading modules..."), "{out}");
    assert!(
        out.contains(&format!("Downloading {h}/acme/net/aws 1.3.0 for pess...")),
        "{out}"
    );
    assert_eq!(outputs(d.path())["v"]["pess"], "1.3.0");
    assert_eq!(
        record(&manifest(d.path()), "pess").unwrap()["Version"],
        "1.3.0"
    );
    // Tightening the constraint without init is refused, as by Terraform.
    let text = std::fs::read_to_string(d.path().join("main.tf")).unwrap();
    write(
        d.path(),
        "main.tf",
        &text.replacen("\"~> 1.0\"", "\"~> 1.1.0\"", 1),
    );
    run(d.path(), &["plan", "-no-color"])
        .code(1)
        .stderr(predicate::str::contains(
            "Module version requirements have changed",
        ))
        .stderr(predicate::str::contains("installed version (1.3.0)"));
}

#[test]
fn registry_errors_are_clear_and_leave_nothing_behind() {
    let reg = Registry::start();
    registry_module(&reg, "acme/net/aws", "1.0.0");
    reg.file("broken.tar.gz", b"this is not an archive".to_vec());
    reg.add("acme/broken/aws", "1.0.0", "/files/broken.tar.gz");
    reg.file("evil.tar.gz", {
        // An entry that climbs out of the module directory.
        let mut raw = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        let mut h = tar::Header::new_gnu();
        let body = b"x";
        h.set_size(1);
        h.set_mode(0o644);
        {
            let name = h.as_old_mut().name.as_mut();
            let p = b"../escaped.tf";
            name[..p.len()].copy_from_slice(p);
        }
        h.set_cksum();
        raw.append(&h, &body[..]).unwrap();
        raw.into_inner().unwrap().finish().unwrap()
    });
    reg.add("acme/evil/aws", "1.0.0", "/files/evil.tar.gz");
    let h = &reg.host;
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!("module \"unknown\" {{\n  source = \"{h}/acme/nothere/aws\"\n}}\nmodule \"nomatch\" {{\n  source  = \"{h}/acme/net/aws\"\n  version = \">= 3.0\"\n}}\nmodule \"unreachable\" {{\n  source = \"127.0.0.1:1/acme/net/aws\"\n}}\nmodule \"broken\" {{\n  source = \"{h}/acme/broken/aws\"\n}}\nmodule \"evil\" {{\n  source = \"{h}/acme/evil/aws\"\n}}\nmodule \"notreg\" {{\n  source  = \"./x\"\n  version = \"1.0\"\n}}\n"),
    );
    let a = init(d.path()).code(1);
    let e = stderr(&a);
    assert!(e.contains("Error: Module not found"), "{e}");
    assert!(
        e.contains(&format!(
            "Module \"unknown\" (from main.tf:1) cannot be found in the module registry at {h}."
        )),
        "{e}"
    );
    assert!(
        e.contains("Error: Unresolvable module version constraint"),
        "{e}"
    );
    assert!(e.contains("The newest available version is 1.0.0."), "{e}");
    assert!(
        e.contains("Error: Error accessing remote module registry"),
        "{e}"
    );
    assert!(e.contains("from 127.0.0.1:1"), "{e}");
    assert!(
        e.contains("not a valid tar archive") || e.contains("invalid gzip"),
        "{e}"
    );
    assert!(e.contains("points outside the module directory"), "{e}");
    assert!(
        e.contains("Cannot apply a version constraint to module \"notreg\""),
        "{e}"
    );
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    assert!(!d.path().join(".terraform/escaped.tf").exists());
    assert!(!d.path().join(".terraform/modules/escaped.tf").exists());
}

#[test]
fn registry_credentials_from_cli_config_and_env() {
    let reg = Registry::start();
    registry_module(&reg, "private/net/aws", "1.0.0");
    let h = reg.host.clone();
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!("module \"p\" {{\n  source = \"{h}/private/net/aws\"\n}}\noutput \"v\" {{ value = module.p.version }}\n"),
    );
    // Without a token: the registry's 401, clearly reported.
    init(d.path())
        .code(1)
        .stderr(predicate::str::contains("status 401"));
    // A credentials block in the CLI configuration file.
    let rc = d.path().join("cli.tfrc");
    write(
        d.path(),
        "cli.tfrc",
        &format!("credentials \"{h}\" {{\n  token = \"secret\"\n}}\n"),
    );
    herd()
        .env("TF_CLI_CONFIG_FILE", &rc)
        .arg(format!("-chdir={}", d.path().display()))
        .args(["init", "-no-color"])
        .assert()
        .success();
    assert_eq!(outputs(d.path())["v"], "1.0.0");
    // A host name whose services a `host` block points at the local
    // registry, with the token from TF_TOKEN_<host>.
    let e = tempfile::tempdir().unwrap();
    write(
        e.path(),
        "main.tf",
        "module \"p\" {\n  source = \"registry.example-corp.test/private/net/aws\"\n}\noutput \"v\" { value = module.p.version }\n",
    );
    write(
        e.path(),
        "cli.tfrc",
        &format!("host \"registry.example-corp.test\" {{\n  services = {{\n    \"modules.v1\" = \"http://{h}/v1/modules/\"\n  }}\n}}\n"),
    );
    herd()
        .env("TF_CLI_CONFIG_FILE", e.path().join("cli.tfrc"))
        .env("TF_TOKEN_registry_example__corp_test", "secret")
        .arg(format!("-chdir={}", e.path().display()))
        .args(["init", "-no-color"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Downloading registry.example-corp.test/private/net/aws 1.0.0 for p...",
        ));
    assert_eq!(outputs(e.path())["v"], "1.0.0");
}

#[test]
fn http_archives_zip_and_tar_gz_with_subdir() {
    let reg = Registry::start();
    let zip_url = reg.file(
        "pkg.zip",
        zip_bytes(&[
            ("main.tf", &version_module("zip")),
            (
                "modules/inner/main.tf",
                "output \"x\" { value = \"zip-inner\" }\n",
            ),
        ]),
    );
    let tgz_url = reg.file("pkg.tgz", tar_gz(&[("main.tf", &version_module("tgz"))]));
    // go-getter's ?archive= for a URL without an archive extension.
    let forced = reg.file(
        "download",
        tar_gz(&[("main.tf", &version_module("forced"))]),
    );
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!("module \"z\" {{\n  source = \"{zip_url}\"\n}}\nmodule \"zi\" {{\n  source = \"{zip_url}//modules/inner\"\n}}\nmodule \"t\" {{\n  source = \"{tgz_url}\"\n}}\nmodule \"f\" {{\n  source = \"{forced}?archive=tar.gz\"\n}}\noutput \"v\" {{ value = [module.z.version, module.zi.x, module.t.version, module.f.version] }}\n"),
    );
    let a = init(d.path()).success();
    assert!(
        stdout(&a).contains(&format!(
            "Downloading {zip_url} for zi...\n- zi in .terraform/modules/zi/modules/inner\n"
        )),
        "{}",
        stdout(&a)
    );
    assert_eq!(
        outputs(d.path())["v"],
        serde_json::json!(["zip", "zip-inner", "tgz", "forced"])
    );
    assert_eq!(
        record(&manifest(d.path()), "zi").unwrap()["Source"],
        format!("{zip_url}//modules/inner")
    );
}

#[test]
fn unsupported_sources_are_errors() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "module \"hg\" {\n  source = \"hg::https://example.com/vpc\"\n}\nmodule \"odd\" {\n  source = \"not a source\"\n}\n",
    );
    let a = init(d.path()).code(1);
    let e = stderr(&a);
    assert!(
        e.contains("herd does not support hg:: module sources"),
        "{e}"
    );
    assert!(e.contains("Error: Invalid module source address"), "{e}");
    assert!(leftovers(d.path()).is_empty());
}

// ---------------------------------------------------------------------------
// Terraform's files

#[test]
fn reads_a_manifest_terraform_wrote_and_keeps_it() {
    // `.terraform/modules` exactly as `terraform init` 1.11.4 leaves it for
    // a git source with a nested local module.
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "module \"vpc\" {\n  source = \"git::https://example.com/acme/vpc.git?ref=v1.2.0\"\n}\noutput \"v\" { value = module.vpc.out }\n",
    );
    write(
        d.path(),
        ".terraform/modules/vpc/main.tf",
        "module \"sub\" {\n  source = \"./modules/sub\"\n}\noutput \"out\" { value = module.sub.s }\n",
    );
    write(
        d.path(),
        ".terraform/modules/vpc/modules/sub/main.tf",
        "output \"s\" { value = \"from-sub\" }\n",
    );
    let tf = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"git::https://example.com/acme/vpc.git?ref=v1.2.0","Dir":".terraform/modules/vpc"},{"Key":"vpc.sub","Source":"./modules/sub","Dir":".terraform/modules/vpc/modules/sub"}]}"#;
    write(d.path(), ".terraform/modules/modules.json", tf);
    assert_eq!(outputs(d.path())["v"], "from-sub");
    // init with everything installed changes nothing (and needs no network).
    let a = init(d.path()).success();
    assert!(!stdout(&a).contains("Downloading"), "{}", stdout(&a));
    assert_eq!(
        std::fs::read_to_string(d.path().join(".terraform/modules/modules.json")).unwrap(),
        tf
    );
}

#[test]
fn required_version_and_providers_are_checked() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        "terraform {\n  required_version = \"< 0.1\"\n}\noutput \"o\" { value = 1 }\n",
    );
    let a = run(d.path(), &["plan", "-no-color"]).code(1);
    let e = stderr(&a);
    assert!(
        e.contains("Error: Unsupported Terraform Core version"),
        "{e}"
    );
    assert!(
        e.contains("This configuration does not support Terraform version 1.11.4."),
        "{e}"
    );
    assert!(e.contains("main.tf line 2"), "{e}");
    init(d.path()).code(1).stderr(predicate::str::contains(
        "Unsupported Terraform Core version",
    ));
    write(
        d.path(),
        "main.tf",
        "terraform {\n  required_version = \">= 1.5, ~> 1.11\"\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}\noutput \"o\" { value = 1 }\n",
    );
    init(d.path()).success();
    write(
        d.path(),
        "main.tf",
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 4.0\"\n    }\n  }\n}\n",
    );
    // A warning: the built-in provider is the only one there is.
    let a = init(d.path()).success();
    let out = a.get_output();
    let e = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        e.contains("Warning: Provider version constraint not met"),
        "{e}"
    );
    assert!(e.contains("requires hashicorp/aws ~> 4.0"), "{e}");
    assert!(e.contains("5.100.0"), "{e}");
    herd()
        .arg("version")
        .assert()
        .success()
        .stdout(predicate::str::contains("Terraform language v1.11.4"))
        .stdout(predicate::str::contains("hashicorp/aws v5.100.0"));
}

#[test]
fn lock_file_is_read_and_left_valid() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.tf", "output \"o\" { value = 1 }\n");
    let lock = "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n\nprovider \"registry.terraform.io/hashicorp/aws\" {\n  version     = \"5.31.0\"\n  constraints = \">= 5.0.0\"\n  hashes = [\n    \"h1:abc=\",\n  ]\n}\n";
    write(d.path(), ".terraform.lock.hcl", lock);
    init(d.path())
        .success()
        .stderr(predicate::str::contains("selects hashicorp/aws v5.31.0"));
    assert_eq!(
        std::fs::read_to_string(d.path().join(".terraform.lock.hcl")).unwrap(),
        lock
    );
    write(
        d.path(),
        ".terraform.lock.hcl",
        "provider \"registry.terraform.io/hashicorp/aws\" {\n",
    );
    init(d.path())
        .code(1)
        .stderr(predicate::str::contains("Invalid dependency lock file"));
}

// ---------------------------------------------------------------------------
// With real Terraform

fn terraform() -> Option<PathBuf> {
    let p = PathBuf::from(
        std::env::var("TF_ORACLE_BIN").unwrap_or_else(|_| "/usr/local/bin/terraform".into()),
    );
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: no Terraform at {} (set TF_ORACLE_BIN)",
            p.display()
        );
        None
    }
}

fn tf(bin: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    let rc = dir.join("empty.tfrc");
    std::fs::write(&rc, "").unwrap();
    Proc::new(bin)
        .arg(format!("-chdir={}", dir.display()))
        .args(args)
        .env("TF_CLI_CONFIG_FILE", &rc)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .unwrap()
}

fn interop_config(d: &Path) -> PathBuf {
    let url = git_repo(
        &d.join("repo"),
        &[(
            "v1.0.0",
            &[
                (
                    "main.tf",
                    "variable \"name\" { type = string }\nmodule \"sub\" {\n  source = \"./modules/sub\"\n  name   = var.name\n}\nresource \"terraform_data\" \"x\" {\n  input = module.sub.id\n}\noutput \"id\" { value = terraform_data.x.input }\n",
                ),
                ("modules/sub/main.tf", "variable \"name\" { type = string }\noutput \"id\" { value = \"id-${var.name}\" }\n"),
            ],
        )],
    );
    let root = d.join("root");
    write(
        &root,
        "main.tf",
        &format!("module \"m\" {{\n  source = \"git::{url}?ref=v1.0.0\"\n  name   = \"a\"\n}}\nmodule \"s\" {{\n  source = \"git::{url}//modules/sub?ref=v1.0.0\"\n  name   = \"b\"\n}}\noutput \"m\" {{ value = module.m.id }}\noutput \"s\" {{ value = module.s.id }}\n"),
    );
    root
}

#[test]
fn terraform_initialised_directory_plans_with_herd() {
    let Some(bin) = terraform() else { return };
    let d = tempfile::tempdir().unwrap();
    let root = interop_config(d.path());
    let out = tf(&bin, &root, &["init", "-no-color", "-input=false"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    run(&root, &["plan", "-no-color", "-input=false"])
        .success()
        .stdout(predicate::str::contains("terraform_data.x"))
        .stdout(predicate::str::contains("1 to add"));
    let o = outputs(&root);
    assert_eq!(o["s"], "id-b");
    assert_eq!(o["m"], "id-a");
}

#[test]
fn herd_initialised_directory_plans_with_terraform() {
    let Some(bin) = terraform() else { return };
    let d = tempfile::tempdir().unwrap();
    let root = interop_config(d.path());
    init(&root).success();
    let out = tf(&bin, &root, &["plan", "-no-color", "-input=false"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("module.m.terraform_data.x will be created"),
        "{text}"
    );
    // And Terraform's own init sees nothing to do.
    let out = tf(&bin, &root, &["init", "-no-color", "-input=false"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Downloading"));
}

// ---------------------------------------------------------------------------
// s3:: sources, against moto's S3

#[test]
fn s3_sources_install_archives_and_prefixes() {
    let m = common::moto::Moto::start();
    let s3 = m.s3();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("main.tf", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"output \"o\" { value = \"from-zip\" }\n")
        .unwrap();
    let zip = zip.finish().unwrap().into_inner();
    m.block_on(async {
        s3.create_bucket().bucket("mods").send().await.unwrap();
        s3.put_object()
            .bucket("mods")
            .key("pkg/vpc.zip")
            .body(zip.into())
            .send()
            .await
            .unwrap();
        for (k, v) in [
            ("dir/main.tf", "module \"inner\" { source = \"./sub\" }\noutput \"o\" { value = module.inner.o }\n"),
            ("dir/sub/main.tf", "output \"o\" { value = \"from-prefix\" }\n"),
        ] {
            s3.put_object()
                .bucket("mods")
                .key(k)
                .body(v.as_bytes().to_vec().into())
                .send()
                .await
                .unwrap();
        }
    });
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "main.tf",
        &format!(
            "module \"zip\" {{\n  source = \"s3::https://s3.amazonaws.com/mods/pkg/vpc.zip\"\n}}\nmodule \"dir\" {{\n  source = \"s3::http://127.0.0.1:{}/mods/dir\"\n}}\noutput \"zip\" {{ value = module.zip.o }}\noutput \"dir\" {{ value = module.dir.o }}\n",
            m.port
        ),
    );
    let a = m
        .herd(d.path())
        .args(["init", "-no-color"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        out.contains("Downloading s3::https://s3.amazonaws.com/mods/pkg/vpc.zip for zip..."),
        "{out}"
    );
    m.herd(d.path())
        .args(["apply", "-auto-approve", "-no-color"])
        .assert()
        .success();
    let o = m
        .herd(d.path())
        .args(["output", "-json"])
        .assert()
        .success();
    let o: serde_json::Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
    assert_eq!(o["zip"]["value"], "from-zip");
    assert_eq!(o["dir"]["value"], "from-prefix");

    // A missing object: a diagnostic naming it, nothing left behind.
    let e = tempfile::tempdir().unwrap();
    write(
        e.path(),
        "main.tf",
        "module \"gone\" {\n  source = \"s3::https://s3.amazonaws.com/mods/nope.zip\"\n}\n",
    );
    let a = m
        .herd(e.path())
        .args(["init", "-no-color"])
        .assert()
        .code(1);
    let err = stderr(&a);
    assert!(err.contains("s3://mods/nope.zip"), "{err}");
    assert!(leftovers(e.path()).is_empty());
}

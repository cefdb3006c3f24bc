//! Fetching a module package into a directory, as go-getter does for
//! Terraform: `git` sources by running the `git` CLI (`clone`, `?ref=` as a
//! branch, tag or commit, `?depth=` for a shallow clone, submodules), and
//! `http(s)` sources either as archives (`.zip`, `.tar.gz`/`.tgz`, `.tar`,
//! or `?archive=`) unpacked in place, or as a page whose `X-Terraform-Get`
//! header or `terraform-get` meta tag names the real source; `s3::`
//! sources through the AWS SDK (an archive object, or every object under a
//! prefix). Archive entries that would land outside the directory are refused.

use std::io::Read;
use std::path::{Component, Path};
use std::process::Command;

use super::http::{resolve, HttpClient};
use super::source::{self, RemoteSource, Source};

#[derive(Debug, thiserror::Error)]
pub enum GetError {
    #[error("{0}")]
    Git(String),
    #[error("error downloading '{url}': {msg}")]
    Http { url: String, msg: String },
    #[error("error unpacking {url}: {msg}")]
    Archive { url: String, msg: String },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Split `?a=b&c=d` off a URL.
fn split_query(url: &str) -> (String, Vec<(String, String)>) {
    match url.split_once('?') {
        Some((base, q)) => (
            base.to_string(),
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (p.to_string(), String::new()),
                })
                .collect(),
        ),
        None => (url.to_string(), vec![]),
    }
}

fn join_query(base: &str, q: &[(String, String)]) -> String {
    if q.is_empty() {
        return base.to_string();
    }
    let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{base}?{}", qs.join("&"))
}

/// Fetch `src`'s package into `dest` (which must not exist yet).
pub fn fetch(src: &RemoteSource, dest: &Path, http: &mut HttpClient) -> Result<(), GetError> {
    fetch_depth(src, dest, http, 0)
}

fn fetch_depth(
    src: &RemoteSource,
    dest: &Path,
    http: &mut HttpClient,
    hops: usize,
) -> Result<(), GetError> {
    match src.getter.as_str() {
        "git" => git(&src.url, dest),
        "http" => fetch_http(&src.url, dest, http, hops),
        "s3" => fetch_s3(&src.url, dest),
        g => Err(GetError::Unsupported(format!(
            "error downloading '{}': herd does not support {g}:: module sources",
            src.url
        ))),
    }
}

fn git(url: &str, dest: &Path) -> Result<(), GetError> {
    let (base, query) = split_query(url);
    let mut reference = None;
    let mut depth = None;
    for (k, v) in &query {
        match k.as_str() {
            "ref" => reference = Some(v.clone()),
            "depth" => {
                depth = Some(v.parse::<u32>().map_err(|_| {
                    GetError::Git(format!("error downloading '{url}': invalid depth {v:?}"))
                })?)
            }
            k => {
                return Err(GetError::Unsupported(format!(
                    "error downloading '{url}': the git query argument {k:?} is not supported by herd (supported: ref, depth)"
                )))
            }
        }
    }
    let run = |args: &[&str], cwd: Option<&Path>| -> Result<(), GetError> {
        let mut c = Command::new("git");
        c.args(args).env("GIT_TERMINAL_PROMPT", "0");
        if let Some(d) = cwd {
            c.current_dir(d);
        }
        let out = c.output().map_err(|e| {
            GetError::Git(format!(
                "error downloading '{url}': could not run git: {e} (herd runs the git command for git:: sources)"
            ))
        })?;
        if out.status.success() {
            return Ok(());
        }
        Err(GetError::Git(format!(
            "error downloading '{url}': git exited with {}: {}",
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).trim_end()
        )))
    };
    let dest_s = dest.to_string_lossy().to_string();
    match (depth, &reference) {
        (Some(d), r) => {
            let d = d.to_string();
            let mut args = vec!["clone", "--depth", d.as_str()];
            if let Some(r) = r {
                args.extend(["--branch", r.as_str()]);
            }
            args.extend(["--", base.as_str(), dest_s.as_str()]);
            run(&args, None)?;
        }
        (None, r) => {
            run(&["clone", "--", &base, &dest_s], None)?;
            if let Some(r) = r {
                run(&["checkout", r.as_str(), "--"], Some(dest))?;
            }
        }
    }
    if dest.join(".gitmodules").exists() {
        run(
            &["submodule", "update", "--init", "--recursive"],
            Some(dest),
        )?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Archive {
    Zip,
    TarGz,
    Tar,
}

fn archive_kind(path: &str, forced: Option<&str>) -> Result<Option<Archive>, String> {
    let name = forced.unwrap_or(path).to_ascii_lowercase();
    let kind = if name.ends_with("zip") {
        Some(Archive::Zip)
    } else if name.ends_with("tar.gz") || name.ends_with("tgz") {
        Some(Archive::TarGz)
    } else if name.ends_with("tar") {
        Some(Archive::Tar)
    } else if ["tar.bz2", "tbz2", "tar.xz", "txz", "bz2", "xz", "gz"]
        .iter()
        .any(|e| name.ends_with(&format!(".{e}")) || forced == Some(*e))
    {
        return Err(format!(
            "the archive format of {path:?} is not supported by herd (supported: zip, tar.gz, tgz, tar)"
        ));
    } else {
        None
    };
    Ok(kind)
}

fn fetch_http(url: &str, dest: &Path, http: &mut HttpClient, hops: usize) -> Result<(), GetError> {
    let herr = |msg: String| GetError::Http {
        url: url.to_string(),
        msg,
    };
    let (base, mut query) = split_query(url);
    let forced = query
        .iter()
        .position(|(k, _)| k == "archive")
        .map(|i| query.remove(i).1);
    let kind = archive_kind(&base, forced.as_deref()).map_err(herr)?;
    let fetch_url = join_query(&base, &query);
    if let Some(kind) = kind {
        let r = http.get(&fetch_url, &[]).map_err(|e| herr(e.to_string()))?;
        if r.status != 200 {
            return Err(herr(format!("bad response code: {}", r.status)));
        }
        return unpack(kind, &r.body, dest).map_err(|msg| GetError::Archive {
            url: url.to_string(),
            msg,
        });
    }
    // Not an archive: ask for the real source, as go-getter does.
    if hops > 5 {
        return Err(herr("too many X-Terraform-Get indirections".into()));
    }
    let mut q = query.clone();
    q.push(("terraform-get".into(), "1".into()));
    let r = http
        .get(&join_query(&base, &q), &[])
        .map_err(|e| herr(e.to_string()))?;
    if !(200..300).contains(&r.status) {
        return Err(herr(format!("bad response code: {}", r.status)));
    }
    let next = match r.header("x-terraform-get") {
        Some(n) => n,
        None => meta_terraform_get(&String::from_utf8_lossy(&r.body))
            .ok_or_else(|| herr("no source URL was returned".into()))?,
    };
    let next = resolve(&r.url, &next);
    let src = match source::parse(&next) {
        Ok(Source::Remote(s)) => s,
        _ => return Err(herr(format!("invalid source address {next:?} returned"))),
    };
    if !src.subdir.is_empty() {
        return Err(GetError::Unsupported(format!(
            "error downloading '{url}': the returned source {next:?} has a subdirectory, which herd does not support here"
        )));
    }
    fetch_depth(&src, dest, http, hops + 1)
}

fn meta_terraform_get(html: &str) -> Option<String> {
    let i = html.find("name=\"terraform-get\"")?;
    let tag_start = html[..i].rfind('<')?;
    let tag_end = i + html[i..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let c = tag.find("content=\"")? + 9;
    let end = tag[c..].find('"')?;
    Some(tag[c..c + end].replace("&amp;", "&"))
}

/// A relative path inside the package, or None if the entry would escape it.
fn safe_path(name: &Path) -> Option<std::path::PathBuf> {
    let mut out = std::path::PathBuf::new();
    for c in name.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Where an `s3::` address points: an endpoint to use instead of the SDK's
/// (None for AWS's own hosts, where `AWS_ENDPOINT_URL` and the region
/// decide), a region named by the host, the bucket and the key.
#[derive(Debug, PartialEq)]
struct S3Address {
    endpoint: Option<String>,
    region: Option<String>,
    bucket: String,
    key: String,
}

/// go-getter's S3 address forms: `https://s3.amazonaws.com/BUCKET/KEY`,
/// `https://s3-REGION.amazonaws.com/BUCKET/KEY`,
/// `https://s3.REGION.amazonaws.com/BUCKET/KEY`,
/// `BUCKET.s3[.-REGION].amazonaws.com/KEY`, and any other host as a
/// path-style endpoint (`http://127.0.0.1:9000/BUCKET/KEY`).
fn s3_address(url: &str) -> Result<S3Address, String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_string(), r),
        None => ("https".to_string(), url),
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.trim_start_matches('/');
    let region_of = |h: &str| -> Option<String> {
        let h = h.strip_suffix(".amazonaws.com")?;
        let r = h
            .strip_prefix("s3-")
            .or_else(|| h.strip_prefix("s3."))
            .unwrap_or("");
        (!r.is_empty() && r != "external-1").then(|| r.to_string())
    };
    let bad = || {
        format!("{url:?} is not an S3 address of the form s3::https://s3.amazonaws.com/BUCKET/KEY")
    };
    if scheme == "s3" {
        return Ok(S3Address {
            endpoint: None,
            region: None,
            bucket: host.to_string(),
            key: path.to_string(),
        });
    }
    if host.ends_with(".amazonaws.com") {
        if host.starts_with("s3.") || host.starts_with("s3-") {
            let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
            return Ok(S3Address {
                endpoint: None,
                region: region_of(host),
                bucket: bucket.to_string(),
                key: key.to_string(),
            });
        }
        if let Some((bucket, h)) = host.split_once(".s3") {
            return Ok(S3Address {
                endpoint: None,
                region: region_of(&format!("s3{h}")),
                bucket: bucket.to_string(),
                key: path.to_string(),
            });
        }
        return Err(bad());
    }
    let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
    if host.is_empty() || bucket.is_empty() {
        return Err(bad());
    }
    Ok(S3Address {
        endpoint: Some(format!("{scheme}://{host}")),
        region: None,
        bucket: bucket.to_string(),
        key: key.to_string(),
    })
}

/// `s3::` sources: the object (an archive, unpacked like an HTTP one) or,
/// when the key names no archive, every object under the key as a
/// directory, as go-getter does. Credentials and region come from the AWS
/// SDK's standard chain (and `?region=`, `?aws_access_key_id=`,
/// `?aws_access_key_secret=`, `?aws_access_token=`, `?version=`).
fn fetch_s3(url: &str, dest: &Path) -> Result<(), GetError> {
    let (base, query) = split_query(url);
    let err = |msg: String| GetError::Http {
        url: url.to_string(),
        msg,
    };
    let mut forced = None;
    let mut region = None;
    let mut version = None;
    let (mut key_id, mut secret, mut token) = (None, None, None);
    for (k, v) in query {
        match k.as_str() {
            "archive" => forced = Some(v),
            "region" => region = Some(v),
            "version" => version = Some(v),
            "aws_access_key_id" => key_id = Some(v),
            "aws_access_key_secret" => secret = Some(v),
            "aws_access_token" => token = Some(v),
            k => {
                return Err(GetError::Unsupported(format!(
                    "error downloading '{url}': the s3 query argument {k:?} is not supported by herd (supported: archive, region, version, aws_access_key_id, aws_access_key_secret, aws_access_token)"
                )))
            }
        }
    }
    let addr = s3_address(&base).map_err(err)?;
    let kind = archive_kind(&addr.key, forced.as_deref()).map_err(err)?;
    let region = region.or(addr.region.clone());
    let path_style = addr.endpoint.is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    let (bucket, key, endpoint) = (addr.bucket.clone(), addr.key.clone(), addr.endpoint);
    // The SDK runs on a runtime of its own, on a thread of its own: `init`
    // may already be inside one.
    let objects = std::thread::spawn(move || -> Result<Vec<(String, Vec<u8>)>, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
            if let Some(r) = region {
                loader = loader.region(aws_config::Region::new(r));
            }
            if let (Some(id), Some(sk)) = (key_id, secret) {
                loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
                    id,
                    sk,
                    token,
                    None,
                    "s3 module source",
                ));
            }
            let sdk = loader.load().await;
            let mut conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(path_style);
            if let Some(e) = endpoint {
                conf = conf.endpoint_url(e);
            }
            let c = aws_sdk_s3::Client::from_conf(conf.build());
            let get = |k: String| {
                let c = c.clone();
                let bucket = bucket.clone();
                let version = version.clone();
                async move {
                    let o = c
                        .get_object()
                        .bucket(&bucket)
                        .key(&k)
                        .set_version_id(version)
                        .send()
                        .await
                        .map_err(|e| {
                            format!(
                                "GetObject s3://{bucket}/{k}: {}",
                                aws_sdk_s3::error::DisplayErrorContext(&e)
                            )
                        })?;
                    let body = o.body.collect().await.map_err(|e| e.to_string())?;
                    Ok::<_, String>((k, body.into_bytes().to_vec()))
                }
            };
            if kind.is_some() {
                return Ok(vec![get(key.clone()).await?]);
            }
            let prefix = if key.is_empty() || key.ends_with('/') {
                key.clone()
            } else {
                format!("{key}/")
            };
            let mut out = vec![];
            let mut pages = c
                .list_objects_v2()
                .bucket(&bucket)
                .prefix(&prefix)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    format!(
                        "ListObjectsV2 s3://{bucket}/{prefix}: {}",
                        aws_sdk_s3::error::DisplayErrorContext(&e)
                    )
                })?;
                for o in page.contents() {
                    if let Some(k) = o.key() {
                        if !k.ends_with('/') {
                            out.push(get(k.to_string()).await?);
                        }
                    }
                }
            }
            if out.is_empty() {
                return Err(format!("no objects under s3://{bucket}/{prefix}"));
            }
            Ok(out
                .into_iter()
                .map(|(k, b)| (k[prefix.len()..].to_string(), b))
                .collect())
        })
    })
    .join()
    .map_err(|_| err("the S3 download failed".into()))?
    .map_err(err)?;
    match kind {
        Some(kind) => unpack(kind, &objects[0].1, dest).map_err(|msg| GetError::Archive {
            url: url.to_string(),
            msg,
        }),
        None => {
            for (rel, bytes) in objects {
                let rel = safe_path(Path::new(&rel)).ok_or_else(|| {
                    err(format!(
                        "the object {rel:?} points outside the module directory"
                    ))
                })?;
                let p = dest.join(rel);
                if let Some(d) = p.parent() {
                    std::fs::create_dir_all(d)?;
                }
                std::fs::write(&p, bytes)?;
            }
            Ok(())
        }
    }
}

/// Unpack an archive into `dest` (created here).
fn unpack(kind: Archive, data: &[u8], dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| e.to_string())?;
    match kind {
        Archive::Zip => {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(data))
                .map_err(|e| format!("not a valid zip archive: {e}"))?;
            for i in 0..z.len() {
                let mut f = z.by_index(i).map_err(|e| e.to_string())?;
                let rel = safe_path(Path::new(f.name())).ok_or_else(|| {
                    format!(
                        "the archive entry {:?} points outside the module directory",
                        f.name()
                    )
                })?;
                let p = dest.join(rel);
                if f.is_dir() {
                    std::fs::create_dir_all(&p).map_err(|e| e.to_string())?;
                    continue;
                }
                if let Some(d) = p.parent() {
                    std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
                }
                let mut buf = Vec::new();
                f.read_to_end(&mut buf).map_err(|e| e.to_string())?;
                std::fs::write(&p, buf).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        Archive::TarGz | Archive::Tar => {
            let reader: Box<dyn Read> = if kind == Archive::TarGz {
                Box::new(flate2::read::GzDecoder::new(data))
            } else {
                Box::new(data)
            };
            let mut t = tar::Archive::new(reader);
            let entries = t
                .entries()
                .map_err(|e| format!("not a valid tar archive: {e}"))?;
            let mut n = 0;
            for e in entries {
                let mut e = e.map_err(|e| format!("not a valid tar archive: {e}"))?;
                let path = e.path().map_err(|e| e.to_string())?.into_owned();
                let rel = safe_path(&path).ok_or_else(|| {
                    format!("the archive entry {path:?} points outside the module directory")
                })?;
                let ty = e.header().entry_type();
                let p = dest.join(&rel);
                if ty.is_dir() {
                    std::fs::create_dir_all(&p).map_err(|e| e.to_string())?;
                } else if ty.is_file() {
                    if let Some(d) = p.parent() {
                        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
                    }
                    let mut buf = Vec::new();
                    e.read_to_end(&mut buf)
                        .map_err(|e| format!("not a valid tar archive: {e}"))?;
                    std::fs::write(&p, buf).map_err(|e| e.to_string())?;
                } else if ty.is_pax_global_extensions() || ty.is_pax_local_extensions() {
                    continue;
                } else {
                    // Links and devices are skipped: a module is plain files.
                    continue;
                }
                n += 1;
            }
            if n == 0 {
                return Err("the archive is empty or not a tar archive".into());
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_kinds() {
        assert!(archive_kind("/m.zip", None).unwrap() == Some(Archive::Zip));
        assert!(archive_kind("/m.tgz", None).unwrap() == Some(Archive::TarGz));
        assert!(archive_kind("/m", Some("tar.gz")).unwrap() == Some(Archive::TarGz));
        assert!(archive_kind("/m", None).unwrap().is_none());
        assert!(archive_kind("/m.tar.bz2", None).is_err());
    }

    #[test]
    fn meta_tag() {
        assert_eq!(
            meta_terraform_get(r#"<html><meta name="terraform-get" content="git::https://x/y.git?ref=v1&amp;depth=1"></html>"#).as_deref(),
            Some("git::https://x/y.git?ref=v1&depth=1")
        );
    }

    #[test]
    fn s3_address_forms() {
        let a = |u: &str| s3_address(u).unwrap();
        let x = a("https://s3.amazonaws.com/b/k/v.zip");
        assert_eq!(
            (x.endpoint, x.region, x.bucket.as_str(), x.key.as_str()),
            (None, None, "b", "k/v.zip")
        );
        let x = a("https://s3-eu-west-1.amazonaws.com/b/v.zip");
        assert_eq!(
            (x.region.as_deref(), x.bucket.as_str()),
            (Some("eu-west-1"), "b")
        );
        let x = a("https://s3.eu-west-2.amazonaws.com/b/v.zip");
        assert_eq!(x.region.as_deref(), Some("eu-west-2"));
        let x = a("b.s3.amazonaws.com/k/v.zip");
        assert_eq!(
            (x.endpoint, x.bucket.as_str(), x.key.as_str()),
            (None, "b", "k/v.zip")
        );
        let x = a("b.s3-us-west-2.amazonaws.com/v.zip");
        assert_eq!(
            (x.region.as_deref(), x.bucket.as_str()),
            (Some("us-west-2"), "b")
        );
        let x = a("http://127.0.0.1:9000/b/dir");
        assert_eq!(
            (x.endpoint.as_deref(), x.bucket.as_str(), x.key.as_str()),
            (Some("http://127.0.0.1:9000"), "b", "dir")
        );
        let x = a("s3://b/k/v.zip");
        assert_eq!(
            (x.endpoint, x.bucket.as_str(), x.key.as_str()),
            (None, "b", "k/v.zip")
        );
        assert!(s3_address("https://s3.amazonaws.com/only-bucket").is_err());
    }

    #[test]
    fn unsafe_entries() {
        assert!(safe_path(Path::new("../x")).is_none());
        assert!(safe_path(Path::new("/etc/x")).is_none());
        assert_eq!(safe_path(Path::new("./a/b")).unwrap(), Path::new("a/b"));
    }
}

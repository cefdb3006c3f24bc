//! A small blocking HTTP(S) GET for the installer, on the hyper + rustls
//! stack the AWS SDK already builds (no second TLS stack): follows
//! redirects, sends extra headers (a registry token), bounds every request
//! with a timeout and returns status, headers and body.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("invalid URL {0:?}")]
    Url(String),
    #[error("{0}")]
    Transport(String),
    #[error("request to {0} timed out")]
    Timeout(String),
    #[error("too many redirects from {0}")]
    Redirects(String),
}

pub struct Response {
    pub status: u16,
    /// The URL that answered (after redirects).
    pub url: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub struct HttpClient {
    rt: tokio::runtime::Runtime,
    client: Option<Client<Connector, Empty<Bytes>>>,
    timeout: Duration,
}

impl HttpClient {
    pub fn new() -> Result<HttpClient, HttpError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        Ok(HttpClient {
            rt,
            client: None,
            timeout: Duration::from_secs(120),
        })
    }

    fn client(&mut self) -> Result<Client<Connector, Empty<Bytes>>, HttpError> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| HttpError::Transport(format!("no TLS root certificates: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let c = Client::builder(TokioExecutor::new()).build(https);
        self.client = Some(c.clone());
        Ok(c)
    }

    /// GET `url`, following up to 10 redirects.
    pub fn get(&mut self, url: &str, headers: &[(String, String)]) -> Result<Response, HttpError> {
        let client = self.client()?;
        let timeout = self.timeout;
        let mut url = url.to_string();
        self.rt.block_on(async move {
            for _ in 0..10 {
                let uri: http::Uri = url.parse().map_err(|_| HttpError::Url(url.clone()))?;
                let mut req = http::Request::get(uri.clone()).header("User-Agent", "herd");
                for (k, v) in headers {
                    req = req.header(k.as_str(), v.as_str());
                }
                let req = req
                    .body(Empty::<Bytes>::new())
                    .map_err(|_| HttpError::Url(url.clone()))?;
                let fut = async {
                    let resp = client
                        .request(req)
                        .await
                        .map_err(|e| HttpError::Transport(describe(&e)))?;
                    let (parts, body) = resp.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map_err(|e| HttpError::Transport(e.to_string()))?
                        .to_bytes();
                    Ok::<_, HttpError>((parts, body))
                };
                let (parts, body) = tokio::time::timeout(timeout, fut)
                    .await
                    .map_err(|_| HttpError::Timeout(url.clone()))??;
                let status = parts.status.as_u16();
                if matches!(status, 301 | 302 | 303 | 307 | 308) {
                    if let Some(loc) = parts.headers.get("location").and_then(|v| v.to_str().ok()) {
                        url = resolve(&url, loc);
                        continue;
                    }
                }
                return Ok(Response {
                    status,
                    url,
                    headers: parts.headers,
                    body,
                });
            }
            Err(HttpError::Redirects(url))
        })
    }
}

fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// Resolve `reference` against `base` (absolute URL, absolute path, or a
/// path relative to the base's directory).
pub fn resolve(base: &str, reference: &str) -> String {
    if reference.contains("://") || reference.contains("::") {
        return reference.to_string();
    }
    let (scheme, rest) = match base.split_once("://") {
        Some(x) => x,
        None => return reference.to_string(),
    };
    let auth_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    if let Some(r) = reference.strip_prefix("//") {
        return format!("{scheme}://{r}");
    }
    if reference.starts_with('/') {
        return format!("{scheme}://{authority}{reference}");
    }
    let path = rest[auth_end..].split(['?', '#']).next().unwrap_or("");
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    let mut segs: Vec<&str> = Vec::new();
    let (refpath, query) = match reference.find('?') {
        Some(i) => (&reference[..i], &reference[i..]),
        None => (reference, ""),
    };
    let joined = format!("{dir}{refpath}");
    for s in joined.split('/') {
        match s {
            "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut p = segs.join("/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    format!("{scheme}://{authority}{p}{query}")
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn resolves_references() {
        assert_eq!(
            resolve("http://h:1/v1/modules/a/b/c/1.0.0/download", "./x.tar.gz"),
            "http://h:1/v1/modules/a/b/c/1.0.0/x.tar.gz"
        );
        assert_eq!(
            resolve("https://h/.well-known/terraform.json", "/v1/modules/"),
            "https://h/v1/modules/"
        );
        assert_eq!(
            resolve("https://h/a/b", "git::https://x/y.git"),
            "git::https://x/y.git"
        );
        assert_eq!(resolve("https://h/a/b/c", "../d?x=1"), "https://h/a/d?x=1");
    }
}

//! CDATA sections in Route 53 responses, turned into escaped text before the
//! SDK parses them.
//!
//! The SDK's XML reader (aws-smithy-xml) skips CDATA sections, so a
//! `<Value><![CDATA[1.2.3.4]]></Value>` reads as an empty value. AWS itself
//! escapes record values, but API-compatible endpoints (moto among them)
//! wrap them in CDATA. [`UnwrapCdata`], an interceptor of herd's Route 53
//! client, rewrites each `<![CDATA[x]]>` of a response body to `x` with
//! `&`, `<` and `>` escaped, which every XML reader reads as `x`.

use std::borrow::Cow;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aws_sdk_route53::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_route53::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body::{Body, Frame};

const OPEN: &[u8] = b"<![CDATA[";
const CLOSE: &[u8] = b"]]>";

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// `xml` with every CDATA section replaced by its escaped text; borrowed
/// (untouched) when it has none. An unterminated section is left as is.
pub fn unwrap_cdata(xml: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = find(xml, OPEN, 0) else {
        return Cow::Borrowed(xml);
    };
    let mut out = Vec::with_capacity(xml.len());
    let mut at = 0;
    let mut next = Some(first);
    while let Some(start) = next {
        let body = start + OPEN.len();
        let Some(end) = find(xml, CLOSE, body) else {
            break;
        };
        out.extend_from_slice(&xml[at..start]);
        for &b in &xml[body..end] {
            match b {
                b'&' => out.extend_from_slice(b"&amp;"),
                b'<' => out.extend_from_slice(b"&lt;"),
                b'>' => out.extend_from_slice(b"&gt;"),
                b => out.push(b),
            }
        }
        at = end + CLOSE.len();
        next = find(xml, OPEN, at);
    }
    out.extend_from_slice(&xml[at..]);
    Cow::Owned(out)
}

/// The interceptor: registered on the Route 53 client only.
#[derive(Debug)]
pub struct UnwrapCdata;

impl Intercept for UnwrapCdata {
    fn name(&self) -> &'static str {
        "UnwrapCdata"
    }

    fn modify_before_deserialization(
        &self,
        ctx: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let body = ctx.response_mut().body_mut();
        if let Some(bytes) = body.bytes() {
            if let Cow::Owned(x) = unwrap_cdata(bytes) {
                *body = SdkBody::from(x);
            }
            return Ok(());
        }
        // Still streaming (as every body from the network is here): read it
        // to the end, as the SDK would before parsing, then rewrite it.
        let inner = std::mem::replace(body, SdkBody::taken());
        *body = SdkBody::from_body_1_x(Rewrite {
            inner,
            buf: Vec::new(),
            done: false,
        });
        Ok(())
    }
}

/// A body yielding `inner`'s bytes, CDATA unwrapped, as one frame at its end.
struct Rewrite {
    inner: SdkBody,
    buf: Vec<u8>,
    done: bool,
}

impl Body for Rewrite {
    type Data = Bytes;
    type Error = aws_smithy_types::body::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        while !this.done {
            match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Route 53 sends no trailers; drop any.
                    if let Ok(data) = frame.into_data() {
                        this.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.done = true;
                    let buf = std::mem::take(&mut this.buf);
                    if buf.is_empty() {
                        break;
                    }
                    let data = match unwrap_cdata(&buf) {
                        Cow::Owned(x) => Bytes::from(x),
                        Cow::Borrowed(_) => Bytes::from(buf),
                    };
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
            }
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unwrap(s: &str) -> String {
        String::from_utf8(unwrap_cdata(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn without_cdata_is_borrowed() {
        let x = b"<Value>1.2.3.4</Value><Name>a &amp; b</Name>";
        assert!(matches!(unwrap_cdata(x), Cow::Borrowed(_)));
        assert_eq!(unwrap(""), "");
    }

    #[test]
    fn sections_become_escaped_text() {
        assert_eq!(
            unwrap("<Value><![CDATA[1.2.3.4]]></Value>"),
            "<Value>1.2.3.4</Value>"
        );
        assert_eq!(
            unwrap(r#"<Value><![CDATA["a&b <c> &amp;"]]></Value>"#),
            r#"<Value>"a&amp;b &lt;c&gt; &amp;amp;"</Value>"#
        );
        assert_eq!(unwrap("<V><![CDATA[]]></V>"), "<V></V>");
    }

    #[test]
    fn several_sections_and_other_text_untouched() {
        let xml = "<?xml version=\"1.0\"?>\n<R><Name>www.example.com.</Name>\
            <ResourceRecord><Value><![CDATA[1.2.3.4]]></Value></ResourceRecord>\
            <ResourceRecord><Value><![CDATA[5.6.7.8]]></Value></ResourceRecord>\
            <Note>x &gt; y</Note></R>";
        assert_eq!(
            unwrap(xml),
            "<?xml version=\"1.0\"?>\n<R><Name>www.example.com.</Name>\
            <ResourceRecord><Value>1.2.3.4</Value></ResourceRecord>\
            <ResourceRecord><Value>5.6.7.8</Value></ResourceRecord>\
            <Note>x &gt; y</Note></R>"
        );
        // A `]]` inside a section ends it only with `>`; an unterminated
        // section stays as it was.
        assert_eq!(unwrap("<![CDATA[a]]b]]>"), "a]]b");
        assert_eq!(
            unwrap("<a><![CDATA[x]]></a><![CDATA[y"),
            "<a>x</a><![CDATA[y"
        );
    }

    /// Through the interceptor's body: chunks split inside a section.
    #[tokio::test]
    async fn streamed_body_is_rewritten() {
        let chunks: Vec<&'static [u8]> = vec![b"<V><![CD", b"ATA[a<b]", b"]></V>"];
        let inner = SdkBody::from_body_1_x(Chunks(chunks.into_iter().rev().collect()));
        let body = Rewrite {
            inner,
            buf: Vec::new(),
            done: false,
        };
        assert_eq!(collect(body).await, b"<V>a&lt;b</V>");
    }

    /// A body of static chunks (popped from the end).
    struct Chunks(Vec<&'static [u8]>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop().map(|c| Ok(Frame::data(Bytes::from_static(c)))))
        }
    }

    async fn collect<B: Body<Data = Bytes> + Unpin>(mut b: B) -> Vec<u8>
    where
        B::Error: std::fmt::Debug,
    {
        let mut out = Vec::new();
        while let Some(f) = std::future::poll_fn(|cx| Pin::new(&mut b).poll_frame(cx)).await {
            if let Ok(d) = f.unwrap().into_data() {
                out.extend_from_slice(&d);
            }
        }
        out
    }
}

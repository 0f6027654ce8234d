//! SCIM bodies for the errors hyper answers itself. A request line or header block hyper cannot parse
//! (414 URI too long, 431 headers too large, 400 malformed) never reaches the router: hyper writes a
//! bodiless response and closes. This wrapper around the socket recognises that response and writes a
//! SCIM Error (RFC 7644 section 3.12) in its place. Router responses never match: every error the
//! router answers has a SCIM body (`middleware::scim_error_bodies`), so none is `content-length: 0`.

use crate::http::error::SCIM_CONTENT_TYPE;
use crate::scim::error::{ScimError, ScimType};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's socket whose hyper-generated parse-error responses get SCIM bodies.
pub struct ScimParseErrors<T> {
    inner: T,
    /// The replacement being written, how much of it is out, and how many bytes it stands for.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<T> ScimParseErrors<T> {
    /// Wraps a socket.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            replacing: None,
        }
    }
}

/// The SCIM response for a bodiless hyper error response `head`, if `head` is one.
fn replacement_for(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let rest = text
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| text.strip_prefix("HTTP/1.0 "))?;
    let end = text.find("\r\n\r\n")?;
    if end + 4 != text.len()
        || !text
            .to_ascii_lowercase()
            .contains("\r\ncontent-length: 0\r\n")
    {
        return None;
    }
    let (status, detail, scim_type) = match rest.get(..3)? {
        "400" => (
            400,
            "the request line or headers could not be parsed",
            Some(ScimType::InvalidSyntax),
        ),
        "414" => (
            414,
            "the request URI is longer than this bridge accepts",
            None,
        ),
        "431" => (
            431,
            "the request headers are larger than this bridge accepts",
            None,
        ),
        _ => return None,
    };
    let status_line = &text[..text.find("\r\n")?];
    let body = ScimError::new(status, scim_type, detail)
        .to_json()
        .to_string();
    Some(
        format!(
            "{status_line}\r\ncontent-type: {SCIM_CONTENT_TYPE}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for ScimParseErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ScimParseErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            match replacement_for(buf) {
                Some(bytes) => self.replacing = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        let this = &mut *self;
        let Some((bytes, written, stands_for)) = &mut this.replacing else {
            return Poll::Ready(Ok(0));
        };
        while *written < bytes.len() {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        let done = *stands_for;
        this.replacing = None;
        Poll::Ready(Ok(done))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::replacement_for;

    #[test]
    fn only_bodiless_parse_error_heads_are_replaced() {
        let head =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(replacement_for(head).expect("replaced")).expect("utf8");
        assert!(out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(out.contains("application/scim+json"));
        assert!(out.ends_with('}'));
        assert!(replacement_for(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement_for(with_body).is_none());
    }
}

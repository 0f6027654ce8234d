//! Names what failed in a network error (TLS, DNS, refused, timeout, proxy) from its whole source
//! chain, so that an operator sees the cause and not "request failed" or "pool timed out".
//! Used for Dropbox calls (`dropbox`) and for connecting to PostgreSQL (`store`).

use std::error::Error as StdError;
use std::fmt;
use std::io;

/// What a transport failure was, found by walking an error's source chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportCause {
    /// The TLS handshake failed for a reason other than an untrusted certificate.
    Tls,
    /// The server's certificate is not signed by a trusted CA (or not valid for the host).
    UntrustedCertificate,
    /// The host name could not be resolved.
    Dns,
    /// The TCP connection was refused.
    Refused,
    /// The request or the connection timed out.
    Timeout,
    /// The HTTPS proxy refused or failed the `CONNECT` tunnel.
    Proxy,
    /// The connection was reset or closed before a full response arrived.
    Closed,
    /// Anything else.
    Other,
}

impl TransportCause {
    /// A short phrase for messages (`"TLS certificate not trusted"`).
    pub fn label(self) -> &'static str {
        match self {
            Self::Tls => "TLS handshake failed",
            Self::UntrustedCertificate => "TLS certificate not trusted",
            Self::Dns => "DNS lookup failed",
            Self::Refused => "connection refused",
            Self::Timeout => "timed out",
            Self::Proxy => "HTTPS proxy failed",
            Self::Closed => "connection closed",
            Self::Other => "request failed",
        }
    }
}

impl fmt::Display for TransportCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The cause of `err`: the most specific one found anywhere in its source chain.
pub fn classify(err: &(dyn StdError + 'static)) -> TransportCause {
    let mut found = TransportCause::Other;
    for e in chain(err) {
        let cause = classify_one(e);
        if rank(cause) > rank(found) {
            found = cause;
        }
    }
    found
}

/// How specific a cause is: a certificate error inside a connect error wins over "refused".
fn rank(cause: TransportCause) -> u8 {
    match cause {
        TransportCause::Other => 0,
        TransportCause::Closed => 1,
        TransportCause::Timeout => 2,
        TransportCause::Proxy => 3,
        TransportCause::Refused | TransportCause::Dns => 4,
        TransportCause::Tls => 5,
        TransportCause::UntrustedCertificate => 6,
    }
}

fn classify_one(e: &(dyn StdError + 'static)) -> TransportCause {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return match tls {
            rustls::Error::InvalidCertificate(_) => TransportCause::UntrustedCertificate,
            _ => TransportCause::Tls,
        };
    }
    if let Some(r) = e.downcast_ref::<reqwest::Error>() {
        if r.is_timeout() {
            return TransportCause::Timeout;
        }
    }
    if let Some(io) = e.downcast_ref::<io::Error>() {
        // `io::Error::source` skips the error it wraps, so look at that one here.
        if let Some(inner) = io.get_ref() {
            let cause = classify_one(inner);
            if cause != TransportCause::Other {
                return cause;
            }
        }
        match io.kind() {
            io::ErrorKind::ConnectionRefused => return TransportCause::Refused,
            io::ErrorKind::TimedOut => return TransportCause::Timeout,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => return TransportCause::Closed,
            _ => {}
        }
    }
    // hyper-util's connector and tunnel errors are private types: their text is all we have.
    let text = e.to_string().to_ascii_lowercase();
    if text.contains("dns error") || text.contains("failed to lookup address") {
        TransportCause::Dns
    } else if text.contains("tunnel") || text.contains("proxy") {
        TransportCause::Proxy
    } else if text.contains("certificate") {
        TransportCause::UntrustedCertificate
    } else if text.contains("tls") || text.contains("handshake") {
        TransportCause::Tls
    } else if text.contains("timed out") {
        TransportCause::Timeout
    } else {
        TransportCause::Other
    }
}

/// `err` and every source under it.
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| e.source())
}

/// `"<cause>: <chain>"`: the cause, then the messages of `err`'s sources (and of `err` itself
/// when `with_top`), each dropped when an earlier one already contains it.
pub fn describe(err: &(dyn StdError + 'static), with_top: bool) -> String {
    let cause = classify(err);
    let mut parts: Vec<String> = Vec::new();
    for e in chain(err).skip(usize::from(!with_top)) {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    if parts.is_empty() {
        cause.label().to_owned()
    } else {
        format!("{}: {}", cause.label(), parts.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a message and an optional source, like hyper's wrappers.
    #[derive(Debug)]
    struct Wrap(&'static str, Option<Box<dyn StdError + Send + Sync>>);

    impl fmt::Display for Wrap {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn wrapped(inner: impl StdError + Send + Sync + 'static) -> Wrap {
        Wrap(
            "error sending request",
            Some(Box::new(Wrap(
                "client error (Connect)",
                Some(Box::new(inner)),
            ))),
        )
    }

    #[test]
    fn refused_is_found_under_wrappers() {
        let io = io::Error::new(io::ErrorKind::ConnectionRefused, "Connection refused");
        let e = wrapped(Wrap("tcp connect error", Some(Box::new(io))));
        assert_eq!(classify(&e), TransportCause::Refused);
        assert_eq!(
            describe(&e, false),
            "connection refused: client error (Connect): tcp connect error: Connection refused"
        );
        assert!(describe(&e, true).starts_with("connection refused: error sending request: "));
    }

    #[test]
    fn unknown_issuer_is_an_untrusted_certificate() {
        let cert = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let e = wrapped(io::Error::new(io::ErrorKind::InvalidData, cert));
        assert_eq!(classify(&e), TransportCause::UntrustedCertificate);
        let text = describe(&e, false);
        assert!(text.starts_with("TLS certificate not trusted: "), "{text}");
        assert!(text.contains("UnknownIssuer"), "{text}");
    }

    #[test]
    fn other_rustls_errors_are_tls() {
        let e = wrapped(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::HandshakeNotComplete,
        ));
        assert_eq!(classify(&e), TransportCause::Tls);
    }

    #[test]
    fn dns_timeout_proxy_and_closed() {
        let dns = wrapped(Wrap(
            "dns error",
            Some(Box::new(io::Error::other(
                "failed to lookup address information: Name or service not known",
            ))),
        ));
        assert_eq!(classify(&dns), TransportCause::Dns);
        let timeout = wrapped(io::Error::new(io::ErrorKind::TimedOut, "deadline"));
        assert_eq!(classify(&timeout), TransportCause::Timeout);
        let proxy = wrapped(Wrap("unsuccessful tunnel", None));
        assert_eq!(classify(&proxy), TransportCause::Proxy);
        let reset = wrapped(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        assert_eq!(classify(&reset), TransportCause::Closed);
    }

    #[test]
    fn unknown_failures_keep_their_chain_without_repeats() {
        let inner = Wrap("same", Some(Box::new(Wrap("same", None))));
        let e = Wrap("top: same", Some(Box::new(inner)));
        assert_eq!(classify(&e), TransportCause::Other);
        assert_eq!(describe(&e, false), "request failed: same");
        assert_eq!(describe(&e, true), "request failed: top: same");
    }
}

//! The one error type of the Dropbox client: what went wrong, on which route, with the request id.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::auth::RefreshError;
use super::budget::BudgetRefusal;
use super::http::CallState;

/// Route error tags that mean "the thing you selected does not exist".
const NOT_FOUND_TAGS: &[&str] = &[
    "user_not_found",
    "users_not_found",
    "group_not_found",
    "id_not_found",
    "transfer_dest_user_not_found",
];

/// A failed Dropbox call: the kind of failure plus where and how it happened.
#[derive(Debug)]
pub struct DropboxError<E> {
    /// What went wrong.
    pub kind: ErrorKind<E>,
    /// The route that failed, in URL form (`members/add_v2`).
    pub route: &'static str,
    /// The HTTP status of the last response, if one arrived.
    pub status: Option<u16>,
    /// The `X-Dropbox-Request-Id` of the last response, if one arrived.
    pub request_id: Option<String>,
    /// How long Dropbox asked us to wait before trying again (429, sometimes 503).
    pub retry_after: Option<Duration>,
    /// The scope Dropbox said the token lacks (401 `missing_scope`), e.g. `members.delete`.
    pub required_scope: Option<String>,
}

/// The kinds of failure a Dropbox call can end with.
#[derive(Debug)]
pub enum ErrorKind<E> {
    /// HTTP 409: the route's typed error union (e.g. `MembersSuspendError`).
    Api(E),
    /// HTTP 429 that we did not (or could no longer) wait out.
    RateLimited,
    /// HTTP 401 with the `AuthError` tag (`expired_access_token`, `missing_scope`, ...).
    Auth(String),
    /// The token endpoint refused a refresh (`invalid_grant`, `invalid_client`, ...).
    TokenRefresh(String),
    /// HTTP 403 with the `AccessError` tag.
    AccessDenied(String),
    /// HTTP 400: Dropbox rejected the request shape; the text body explains why.
    BadRequest(String),
    /// HTTP 5xx (or another unexpected status) after the retries we were allowed.
    Server(String),
    /// No usable response: connection refused or dropped, timeout.
    Transport(String),
    /// A response arrived but could not be understood.
    Decode(String),
    /// An async job ended in failure (or its poll route answered an error tag).
    JobFailed(String),
    /// An async job was still running when the poll deadline passed.
    JobDeadline,
}

impl<E> DropboxError<E> {
    /// A bare error of `kind` on `route`, with no response metadata.
    pub fn new(route: &'static str, kind: ErrorKind<E>) -> Self {
        Self {
            kind,
            route,
            status: None,
            request_id: None,
            retry_after: None,
            required_scope: None,
        }
    }

    /// The typed route error, if this is a 409.
    pub fn api(&self) -> Option<&E> {
        match &self.kind {
            ErrorKind::Api(e) => Some(e),
            _ => None,
        }
    }

    /// True when Dropbox refused the call for rate limiting.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self.kind, ErrorKind::RateLimited)
    }

    /// True for failures that may succeed if the caller tries again later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited | ErrorKind::Server(_) | ErrorKind::Transport(_)
        )
    }

    /// True when Dropbox answered and refused the credentials (401, 403, refused token refresh);
    /// false for transport failures, which never reached a decision about them.
    pub fn is_credentials_refused(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Auth(_) | ErrorKind::TokenRefresh(_) | ErrorKind::AccessDenied(_)
        )
    }

    /// Converts the typed route error with `f`, keeping everything else.
    pub fn map_api<F, E2>(self, f: F) -> DropboxError<E2>
    where
        F: FnOnce(E) -> ErrorKind<E2>,
    {
        let kind = match self.kind {
            ErrorKind::Api(e) => f(e),
            ErrorKind::RateLimited => ErrorKind::RateLimited,
            ErrorKind::Auth(s) => ErrorKind::Auth(s),
            ErrorKind::TokenRefresh(s) => ErrorKind::TokenRefresh(s),
            ErrorKind::AccessDenied(s) => ErrorKind::AccessDenied(s),
            ErrorKind::BadRequest(s) => ErrorKind::BadRequest(s),
            ErrorKind::Server(s) => ErrorKind::Server(s),
            ErrorKind::Transport(s) => ErrorKind::Transport(s),
            ErrorKind::Decode(s) => ErrorKind::Decode(s),
            ErrorKind::JobFailed(s) => ErrorKind::JobFailed(s),
            ErrorKind::JobDeadline => ErrorKind::JobDeadline,
        };
        DropboxError {
            kind,
            route: self.route,
            status: self.status,
            request_id: self.request_id,
            retry_after: self.retry_after,
            required_scope: self.required_scope,
        }
    }
}

/// The route-error type of routes that define none (`members/add_v2`, `groups/list`, `get_info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRouteError {}

impl Serialize for NoRouteError {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        match *self {}
    }
}

impl DropboxError<NoRouteError> {
    /// Lifts an error from a route without a route error into any route-error type.
    pub fn widen<E2>(self) -> DropboxError<E2> {
        self.map_api(|never| match never {})
    }
}

/// The longest server-provided text we keep in an error.
const MAX_TEXT: usize = 300;

/// Server-provided text as an error keeps it: e-mail addresses redacted, then clipped.
fn clip(text: String) -> String {
    let mut text = super::redact::redact_emails(&text);
    if text.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// Classifies an SDK error, using what `execute` recorded about the last response.
pub(crate) fn from_sdk<E>(
    route: &'static str,
    err: dropbox_sdk::Error<E>,
    call: CallState,
) -> DropboxError<E> {
    use dropbox_sdk::Error as Sdk;
    let mut retry_after = call.retry_after;
    let mut required_scope = None;
    let kind = match err {
        Sdk::Api(e) => ErrorKind::Api(e),
        // Refused by our own rate budget; `execute` recorded how long to wait.
        Sdk::HttpClient(inner) if inner.is::<BudgetRefusal>() => ErrorKind::RateLimited,
        Sdk::HttpClient(inner) => match inner.downcast_ref::<RefreshError>() {
            Some(RefreshError::Refused { error, .. }) => ErrorKind::TokenRefresh(error.clone()),
            Some(other) => ErrorKind::Transport(other.to_string()),
            None => ErrorKind::Transport(inner.to_string()),
        },
        // A plain-text 429 body is not JSON, so the SDK reports a decode error for it.
        Sdk::Json(_) if call.status == Some(429) => ErrorKind::RateLimited,
        Sdk::Json(e) => ErrorKind::Decode(e.to_string()),
        Sdk::UnexpectedResponse(m) => ErrorKind::Decode(clip(m)),
        Sdk::BadRequest(m) => ErrorKind::BadRequest(clip(m)),
        Sdk::Authentication(a) => {
            if let dropbox_sdk::types::auth::AuthError::MissingScope(s) = &a {
                required_scope = Some(s.required_scope.clone());
            }
            ErrorKind::Auth(union_tag(&a))
        }
        Sdk::RateLimited {
            retry_after_seconds,
            ..
        } => {
            if retry_after.is_none() && retry_after_seconds > 0 {
                retry_after = Some(Duration::from_secs(retry_after_seconds.into()));
            }
            ErrorKind::RateLimited
        }
        Sdk::AccessDenied(a) => ErrorKind::AccessDenied(union_tag(&a)),
        Sdk::ServerError(m) => ErrorKind::Server(clip(m)),
        Sdk::UnexpectedHttpError { code, response } => {
            ErrorKind::Server(format!("unexpected HTTP {code}: {}", clip(response)))
        }
    };
    DropboxError {
        kind,
        route,
        status: call.status,
        request_id: call.request_id,
        retry_after,
        required_scope,
    }
}

impl<E: Serialize> DropboxError<E> {
    /// The `.tag` of the typed route error, if this is a 409 (`"user_not_found"`).
    pub fn api_tag(&self) -> Option<String> {
        self.api().map(union_tag)
    }

    /// True when the route error says the selected user, group or id does not exist.
    pub fn is_not_found(&self) -> bool {
        self.api_tag()
            .is_some_and(|t| NOT_FOUND_TAGS.contains(&t.as_str()))
    }

    /// True when the route error carries exactly this tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.api_tag().is_some_and(|t| t == tag)
    }
}

/// The `.tag` of a Stone union value, or `"other"` when it has none we can name.
pub fn union_tag<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| {
            v.get(".tag")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
                .or_else(|| v.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "other".to_owned())
}

// Display shows tags only: route error payloads can carry emails, and nothing here may carry tokens.
impl<E: Serialize> fmt::Display for DropboxError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dropbox {} failed: ", self.route)?;
        match &self.kind {
            ErrorKind::Api(e) => write!(f, "route error {}", union_tag(e))?,
            ErrorKind::RateLimited => f.write_str("rate limited")?,
            ErrorKind::Auth(t) => write!(f, "authentication failed ({t})")?,
            ErrorKind::TokenRefresh(t) => write!(f, "token refresh refused ({t})")?,
            ErrorKind::AccessDenied(t) => write!(f, "access denied ({t})")?,
            ErrorKind::BadRequest(m) => write!(f, "bad request: {m}")?,
            ErrorKind::Server(m) => write!(f, "server error: {m}")?,
            ErrorKind::Transport(m) => write!(f, "transport error: {m}")?,
            ErrorKind::Decode(m) => write!(f, "unreadable response: {m}")?,
            ErrorKind::JobFailed(m) => write!(f, "async job failed: {m}")?,
            ErrorKind::JobDeadline => {
                f.write_str("async job did not finish before the deadline")?
            }
        }
        if let Some(scope) = &self.required_scope {
            write!(f, ", the token lacks the scope {scope}")?;
        }
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(r) = self.retry_after {
            write!(f, " retry after {}s", r.as_secs())?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl<E: Serialize + fmt::Debug> std::error::Error for DropboxError<E> {}

#[cfg(test)]
mod tests {
    use super::*;
    use dropbox_sdk::types::team::{GroupMembersAddError, MembersSuspendError};

    #[test]
    fn tags_and_not_found() {
        let e = DropboxError::new(
            "members/suspend",
            ErrorKind::Api(MembersSuspendError::UserNotFound),
        );
        assert_eq!(e.api_tag().as_deref(), Some("user_not_found"));
        assert!(e.is_not_found());
        let list = GroupMembersAddError::UsersNotFound(vec!["a@example.com".to_owned()]);
        let e = DropboxError::new("groups/members/add", ErrorKind::Api(list));
        assert!(e.is_not_found());
        // Display names the tag but never the payload (an email here).
        assert!(!e.to_string().contains("a@example.com"));
    }

    #[test]
    fn an_echoed_email_in_a_400_body_is_redacted() {
        let body = "Error in call to API function \"team/members/add_v2\": \
                    'bad..addr@example.com' is not a valid email address";
        let e = from_sdk::<NoRouteError>(
            "members/add_v2",
            dropbox_sdk::Error::BadRequest(body.to_owned()),
            CallState::default(),
        );
        let shown = e.to_string();
        assert!(!shown.contains("example.com"), "{shown}");
        assert!(
            shown.contains("'<redacted>' is not a valid email address"),
            "{shown}"
        );
        assert!(!format!("{e:?}").contains("example.com"));
    }

    #[test]
    fn plain_text_429_becomes_rate_limited() {
        let json_err = serde_json::from_str::<u8>("Too many").unwrap_err();
        let call = CallState {
            status: Some(429),
            retry_after: Some(Duration::from_secs(2)),
            ..CallState::default()
        };
        let e = from_sdk::<MembersSuspendError>(
            "groups/list",
            dropbox_sdk::Error::Json(json_err),
            call,
        );
        assert!(e.is_rate_limited());
        assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    }
}

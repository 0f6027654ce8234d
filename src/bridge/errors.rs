//! `BridgeError`, and the one table that says how each failure answers the SCIM client.

use crate::dropbox::{DropboxError, ErrorKind};
use crate::scim::error::ScimError;
use crate::store::StoreError;

/// A failed bridge operation, with its cause kept as a typed source for the log.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// A SCIM error to show as it is (4xx).
    #[error(transparent)]
    Scim(#[from] ScimError),
    /// Dropbox asked for a wait longer than an IdP holds a request: answer 429 with `Retry-After`.
    #[error("Dropbox is rate-limiting this team")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
        /// The rate-limited call.
        #[source]
        source: DropboxFailure,
    },
    /// Dropbox could not be reached, failed, or did not finish a job in time (503).
    #[error("Dropbox could not be reached or failed")]
    Unavailable(#[source] DropboxFailure),
    /// Dropbox refused the bridge's own credentials (503 until an operator fixes them).
    #[error("Dropbox refused the bridge's credentials; run `dropbox-scim-bridge check`")]
    Credentials(#[source] DropboxFailure),
    /// Dropbox answered something the bridge does not handle (500).
    #[error("unexpected Dropbox answer")]
    Dropbox(#[source] DropboxFailure),
    /// The bridge's database failed (500).
    #[error("store")]
    Store(#[from] StoreError),
    /// A value the bridge keeps as JSON could not be written or read (500).
    #[error("{what}")]
    Json {
        /// What could not be written or read.
        what: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// A bug: something the bridge's own invariants rule out (500).
    #[error("{0}")]
    Internal(String),
}

/// A failed Dropbox call, without its route-specific error type: route, tag and request id.
#[derive(Debug, thiserror::Error)]
#[error("{description}")]
pub struct DropboxFailure {
    /// The route that failed (`members/suspend`).
    pub route: &'static str,
    /// The route error's tag, for a 409 (`user_not_found`).
    pub tag: Option<String>,
    /// Dropbox's `X-Dropbox-Request-Id`, if a response arrived.
    pub request_id: Option<String>,
    /// The client's description of the failure (tags and redacted text only).
    pub description: String,
}

impl<E: serde::Serialize> From<&DropboxError<E>> for DropboxFailure {
    fn from(e: &DropboxError<E>) -> Self {
        Self {
            route: e.route,
            tag: e.api_tag(),
            request_id: e.request_id.clone(),
            description: e.to_string(),
        }
    }
}

/// A Dropbox refusal the SCIM client can act on. [`Refusal::scim`] holds their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The user is not (or no longer) a member of the team.
    MemberNotFound,
    /// The group does not exist.
    GroupNotFound,
    /// The e-mail is already a member of this team.
    EmailTaken,
    /// The e-mail belongs to a member of another team.
    EmailOnAnotherTeam,
    /// Another member has the externalId.
    MemberExternalIdTaken,
    /// Another group has the displayName.
    GroupNameTaken,
    /// Another group has the externalId.
    GroupExternalIdTaken,
    /// The team has no free licence.
    NoLicence,
    /// The group is managed by Dropbox itself.
    SystemGroup,
    /// The change would leave the team without an active admin.
    LastAdmin,
    /// Dropbox refused the group name.
    GroupNameInvalid,
}

impl Refusal {
    /// The refusal a Dropbox route error tag stands for, if the bridge knows the tag.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "user_not_found" | "user_not_in_team" | "id_not_found" => Self::MemberNotFound,
            "group_not_found" | "group_already_deleted" => Self::GroupNotFound,
            "user_already_on_team" | "email_reserved_for_other_user" => Self::EmailTaken,
            "user_on_another_team" => Self::EmailOnAnotherTeam,
            "duplicate_external_member_id" | "external_id_used_by_other_user" => {
                Self::MemberExternalIdTaken
            }
            "group_name_already_used" => Self::GroupNameTaken,
            "external_id_already_in_use" => Self::GroupExternalIdTaken,
            "team_license_limit" | "free_team_member_limit_reached" => Self::NoLicence,
            "system_managed_group_disallowed" => Self::SystemGroup,
            "suspend_last_admin" | "remove_last_admin" | "last_admin" => Self::LastAdmin,
            "group_name_invalid" => Self::GroupNameInvalid,
            _ => return None,
        })
    }

    /// The SCIM error the client sees: the one table of these messages.
    pub fn scim(self) -> ScimError {
        match self {
            Self::MemberNotFound => {
                ScimError::not_found("the user is not a member of the Dropbox team")
            }
            Self::GroupNotFound => ScimError::not_found("the group does not exist in Dropbox"),
            Self::EmailTaken => ScimError::uniqueness(
                "a Dropbox team member with this userName (e-mail) already exists",
            ),
            Self::EmailOnAnotherTeam => {
                ScimError::uniqueness("this e-mail belongs to a member of another Dropbox team")
            }
            Self::MemberExternalIdTaken => {
                ScimError::uniqueness("another Dropbox team member already has this externalId")
            }
            Self::GroupNameTaken => {
                ScimError::uniqueness("a Dropbox group with this displayName already exists")
            }
            Self::GroupExternalIdTaken => {
                ScimError::uniqueness("another Dropbox group already has this externalId")
            }
            Self::NoLicence => ScimError::forbidden(
                "the Dropbox team has no free licence: add licences or remove members, then retry",
            ),
            Self::SystemGroup => ScimError::mutability(
                "this group is managed by Dropbox itself (for example Everyone) and cannot be changed",
            ),
            Self::LastAdmin => ScimError::invalid_value(
                "this is the team's last active admin; Dropbox refuses to lock the team out",
            ),
            Self::GroupNameInvalid => {
                ScimError::invalid_value("Dropbox refused the group's displayName")
            }
        }
    }
}

impl From<Refusal> for BridgeError {
    fn from(r: Refusal) -> Self {
        Self::Scim(r.scim())
    }
}

/// Seconds a client is asked to wait after a 503.
const UNAVAILABLE_RETRY_SECS: u64 = 30;

impl BridgeError {
    /// 404 for a resource id that does not exist.
    pub fn not_found(resource: &str, id: &str) -> Self {
        Self::Scim(ScimError::not_found(format!("{resource} {id} not found")))
    }

    /// How this error answers the SCIM client, with the `Retry-After` seconds: the one place that
    /// decides status, `scimType` and detail.
    pub fn answer(&self) -> (ScimError, Option<u64>) {
        match self {
            Self::Scim(e) => (e.clone(), None),
            Self::RateLimited {
                retry_after_secs, ..
            } => (
                ScimError::rate_limited(
                    "Dropbox is rate-limiting this team; retry after the time in Retry-After",
                ),
                Some((*retry_after_secs).max(1)),
            ),
            Self::Unavailable(_) | Self::Credentials(_) => (
                ScimError::unavailable("Dropbox could not be reached; try again later"),
                Some(UNAVAILABLE_RETRY_SECS),
            ),
            Self::Dropbox(_) | Self::Store(_) | Self::Json { .. } | Self::Internal(_) => (
                ScimError::internal("internal error; the bridge's log has the cause"),
                None,
            ),
        }
    }

    /// The HTTP status this error answers with (for the audit log).
    pub fn status(&self) -> u16 {
        self.answer().0.status
    }

    /// The cause for the log line (the error and its sources), for failures the client is not
    /// told the cause of; `None` for errors whose detail the client sees.
    pub fn log_cause(&self) -> Option<String> {
        if matches!(self, Self::Scim(_) | Self::RateLimited { .. }) {
            return None;
        }
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        Some(text)
    }
}

/// Maps a Dropbox failure that the caller did not handle itself. Route-specific tags the caller
/// understands (e.g. `user_already_on_team`) are matched before this is reached.
pub fn from_dropbox<E: serde::Serialize>(e: DropboxError<E>) -> BridgeError {
    let failure = DropboxFailure::from(&e);
    if let Some(tag) = &failure.tag {
        return match Refusal::from_tag(tag) {
            Some(refusal) => refusal.into(),
            None => BridgeError::Dropbox(failure),
        };
    }
    match &e.kind {
        ErrorKind::RateLimited => BridgeError::RateLimited {
            retry_after_secs: e.retry_after.map(|d| d.as_secs()).unwrap_or(60).max(1),
            source: failure,
        },
        ErrorKind::Transport(_) | ErrorKind::Server(_) | ErrorKind::JobDeadline => {
            BridgeError::Unavailable(failure)
        }
        ErrorKind::Auth(_) | ErrorKind::TokenRefresh(_) | ErrorKind::AccessDenied(_) => {
            BridgeError::Credentials(failure)
        }
        _ => BridgeError::Dropbox(failure),
    }
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;

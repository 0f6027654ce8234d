//! `BridgeError` and the one table that turns Dropbox failures into SCIM errors.

use crate::dropbox::{DropboxError, ErrorKind};
use crate::scim::error::{ScimError, ScimType};
use crate::store::StoreError;

/// A failed bridge operation, as the HTTP layer needs to render it.
#[derive(Debug)]
pub enum BridgeError {
    /// A SCIM error to show as it is (4xx).
    Scim(ScimError),
    /// Dropbox asked for a wait longer than an IdP holds a request: answer 429 with `Retry-After`.
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
        /// What to tell the IdP.
        detail: String,
    },
    /// Dropbox could not be reached or failed (503); the cause is for the log only.
    Unavailable(String),
    /// A bug or a store failure (500); the cause is for the log only.
    Internal(String),
}

impl From<ScimError> for BridgeError {
    fn from(e: ScimError) -> Self {
        Self::Scim(e)
    }
}

impl From<StoreError> for BridgeError {
    fn from(e: StoreError) -> Self {
        Self::Internal(format!("store: {e}"))
    }
}

impl BridgeError {
    /// 404 for a resource id that does not exist.
    pub fn not_found(resource: &str, id: &str) -> Self {
        Self::Scim(ScimError::not_found(format!("{resource} {id} not found")))
    }

    /// The HTTP status this error answers with (for the audit log).
    pub fn status(&self) -> u16 {
        match self {
            Self::Scim(e) => e.status,
            Self::RateLimited { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }
}

/// Maps a Dropbox failure that the caller did not handle itself. Route-specific tags the caller
/// understands (e.g. `user_already_on_team`) are matched before this is reached.
pub fn from_dropbox<E: serde::Serialize + std::fmt::Debug>(e: DropboxError<E>) -> BridgeError {
    let route = e.route;
    let request = e.request_id.clone().unwrap_or_else(|| "-".to_owned());
    if let Some(tag) = e.api_tag() {
        return from_tag(route, &tag, &request);
    }
    match &e.kind {
        ErrorKind::RateLimited => BridgeError::RateLimited {
            retry_after_secs: e.retry_after.map(|d| d.as_secs()).unwrap_or(60).max(1),
            detail: "Dropbox is rate-limiting this team; retry after the time in Retry-After"
                .to_owned(),
        },
        ErrorKind::Transport(_) | ErrorKind::Server(_) | ErrorKind::JobDeadline => {
            BridgeError::Unavailable(format!("{route}: {e} (request {request})"))
        }
        ErrorKind::Auth(_) | ErrorKind::TokenRefresh(_) | ErrorKind::AccessDenied(_) => {
            BridgeError::Unavailable(format!(
                "{route}: Dropbox refused the bridge's credentials: {e}; run `dropbox-scim-bridge check`"
            ))
        }
        _ => BridgeError::Internal(format!("{route}: {e} (request {request})")),
    }
}

fn from_tag(route: &str, tag: &str, request: &str) -> BridgeError {
    let scim = |status: u16, kind: Option<ScimType>, detail: String| {
        BridgeError::Scim(ScimError::new(status, kind, detail))
    };
    match tag {
        "user_not_found" | "user_not_in_team" | "id_not_found" => scim(
            404,
            None,
            "the user is not a member of the Dropbox team".into(),
        ),
        "group_not_found" | "group_already_deleted" => {
            scim(404, None, "the group does not exist in Dropbox".into())
        }
        "user_already_on_team" | "email_reserved_for_other_user" => scim(
            409,
            Some(ScimType::Uniqueness),
            "a Dropbox team member with this userName (e-mail) already exists".into(),
        ),
        "duplicate_external_member_id" | "external_id_used_by_other_user" => scim(
            409,
            Some(ScimType::Uniqueness),
            "another Dropbox team member already has this externalId".into(),
        ),
        "group_name_already_used" => scim(
            409,
            Some(ScimType::Uniqueness),
            "a Dropbox group with this displayName already exists".into(),
        ),
        "external_id_already_in_use" => scim(
            409,
            Some(ScimType::Uniqueness),
            "another Dropbox group already has this externalId".into(),
        ),
        "team_license_limit" | "free_team_member_limit_reached" => scim(
            403,
            None,
            "the Dropbox team has no free licence: add licences or remove members, then retry"
                .into(),
        ),
        "user_on_another_team" => scim(
            409,
            Some(ScimType::Uniqueness),
            "this e-mail belongs to a member of another Dropbox team".into(),
        ),
        "system_managed_group_disallowed" => scim(
            400,
            Some(ScimType::Mutability),
            "this group is managed by Dropbox itself (for example Everyone) and cannot be changed"
                .into(),
        ),
        "suspend_last_admin" | "remove_last_admin" | "last_admin" => scim(
            400,
            Some(ScimType::InvalidValue),
            "this is the team's last active admin; Dropbox refuses to lock the team out".into(),
        ),
        "group_name_invalid" => scim(
            400,
            Some(ScimType::InvalidValue),
            "Dropbox refused the group's displayName".into(),
        ),
        other => BridgeError::Internal(format!(
            "{route}: unhandled Dropbox error `{other}` (request {request})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniqueness_tags_become_409_uniqueness() {
        for tag in [
            "user_already_on_team",
            "duplicate_external_member_id",
            "group_name_already_used",
        ] {
            match from_tag("r", tag, "-") {
                BridgeError::Scim(e) => {
                    assert_eq!(e.status, 409);
                    assert_eq!(e.scim_type, Some(ScimType::Uniqueness));
                }
                other => panic!("{tag}: {other:?}"),
            }
        }
    }

    #[test]
    fn licence_limit_is_a_4xx_that_says_so() {
        match from_tag("r", "team_license_limit", "-") {
            BridgeError::Scim(e) => {
                assert_eq!(e.status, 403);
                assert!(e.detail.contains("licence"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_found_tags_become_404() {
        assert_eq!(from_tag("r", "user_not_found", "-").status(), 404);
        assert_eq!(from_tag("r", "group_not_found", "-").status(), 404);
    }

    #[test]
    fn rate_limits_keep_the_wait() {
        let e: DropboxError<()> = DropboxError {
            kind: ErrorKind::RateLimited,
            route: "members/suspend",
            status: Some(429),
            request_id: None,
            retry_after: Some(std::time::Duration::from_secs(300)),
        };
        match from_dropbox(e) {
            BridgeError::RateLimited {
                retry_after_secs, ..
            } => assert_eq!(retry_after_secs, 300),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn transport_failures_are_unavailable() {
        let e: DropboxError<()> = DropboxError {
            kind: ErrorKind::Transport("connection refused".into()),
            route: "members/get_info_v2",
            status: None,
            request_id: None,
            retry_after: None,
        };
        assert_eq!(from_dropbox(e).status(), 503);
    }
}

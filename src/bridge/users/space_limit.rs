//! Custom member space limits from SCIM (`[space_limits]`): the wanted limit comes from the bridge's
//! own `spaceLimitGb` (or, if configured, an enterprise attribute), is checked before any Dropbox
//! call, and reaches Dropbox as `member_space_limits/set_custom_quota` or `remove_custom_quota`.
//!
//! The limit the bridge last set is kept in the user's extras (`UserExtras::space_limit_gb`), so a read
//! needs no Dropbox call and an unchanged write makes none; a change costs exactly one call. Both
//! routes leave the same state when sent twice, so a lost reply is retried (`dropbox/retry.rs`).

use super::lookup::Found;
use super::mapping::extras_of;
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, Refusal, WriteContext};
use crate::dropbox::team::{TeamMemberProfile, TeamMemberStatus, UserSelectorArg};
use crate::dropbox::{DropboxError, ErrorKind};
use crate::scim::error::ScimError;
use crate::scim::resource::{Enterprise, ScimUser};
use crate::scim::schema::{DROPBOX_URN, ENTERPRISE_URN, SPACE_LIMIT_ATTR, parse_space_limit};
use dropbox_sdk::types::team::{
    CustomQuotaResult, CustomQuotaUsersArg, RemoveCustomQuotaResult, SetCustomQuotaArg,
    UserCustomQuotaArg,
};
use serde_json::Value;

/// The value of the enterprise attribute `name` (one of `config::space_limits::ENTERPRISE_SOURCES`).
fn enterprise_value<'a>(e: &'a Enterprise, name: &str) -> Option<&'a str> {
    match name {
        "employeeNumber" => e.employee_number.as_deref(),
        "costCenter" => e.cost_center.as_deref(),
        "organization" => e.organization.as_deref(),
        "division" => e.division.as_deref(),
        "department" => e.department.as_deref(),
        _ => None,
    }
}

/// What [`Bridge::check_space_limit`] found before the write, for [`Bridge::sync_space_limit`].
pub(crate) struct SpaceLimitPlan {
    /// The limit the user showed (and the bridge recorded) before the write.
    shown: Option<u32>,
    /// The limit Dropbox holds for the member (none for a user deactivated while invited).
    held: Option<u32>,
}

impl Bridge {
    /// Whether the bridge manages space limits (`space_limits.enabled`); discovery shows the
    /// Dropbox extension only then.
    pub fn space_limits_enabled(&self) -> bool {
        self.settings().space_limits.enabled
    }

    /// The attribute the wanted limit is read from, as an error names it.
    fn space_limit_attr(&self) -> String {
        let cfg = &self.settings().space_limits;
        match (&cfg.from_enterprise, cfg.enabled) {
            (Some(name), true) => format!("{ENTERPRISE_URN}:{name}"),
            _ => format!("{DROPBOX_URN}:{SPACE_LIMIT_ATTR}"),
        }
    }

    /// The space limit `desired` asks for, within Dropbox's minimum and `space_limits.max_gb`.
    fn wanted_space_limit(&self, desired: &ScimUser) -> Result<Option<u32>, ScimError> {
        let cfg = &self.settings().space_limits;
        let attr = self.space_limit_attr();
        let gb = match (&cfg.from_enterprise, cfg.enabled) {
            (Some(name), true) => enterprise_value(&desired.enterprise, name)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| parse_space_limit(&attr, &Value::String(s.to_owned())))
                .transpose()?,
            _ => desired.space_limit_gb,
        };
        match gb {
            Some(gb) if gb > cfg.max_gb => Err(ScimError::invalid_value(format!(
                "{attr} is {gb}; this bridge accepts at most {} GB (space_limits.max_gb)",
                cfg.max_gb
            ))),
            gb => Ok(gb),
        }
    }

    /// The limit shown for `scim_id` (from its extras), if any.
    async fn space_limit_shown(&self, scim_id: &str) -> Result<Option<u32>, BridgeError> {
        let extras = self.store().get_extras(scim_id).await?;
        Ok(extras.and_then(|x| x.space_limit_gb))
    }

    /// Before any Dropbox call of a create (`found` None) or a write: refuses a limit out of bounds,
    /// and a new limit while `space_limits.enabled` is off.
    pub(crate) async fn check_space_limit(
        &self,
        found: Option<&Found>,
        desired: &ScimUser,
    ) -> Result<SpaceLimitPlan, BridgeError> {
        let wanted = self.wanted_space_limit(desired)?;
        let shown = match found {
            Some(f) => self.space_limit_shown(f.scim_id()).await?,
            None => None,
        };
        // A user deactivated while invited is not in Dropbox: the limit shown waits for reactivation.
        let held = shown.filter(|_| matches!(found, Some(Found::Member { .. })));
        // Off, leaving the limit out changes nothing (an IdP whose mapping was removed keeps working).
        if !self.settings().space_limits.enabled && wanted.is_some() && wanted != shown {
            return Err(ScimError::invalid_value(format!(
                "{}: this bridge does not manage Dropbox space limits; an operator turns them on \
                 with space_limits.enabled = true",
                self.space_limit_attr()
            ))
            .into());
        }
        Ok(SpaceLimitPlan { shown, held })
    }

    /// After a write's other changes: sets or removes the member's custom limit when the wanted one
    /// differs from the one Dropbox holds, and returns `desired` showing the limit. A user deactivated
    /// while invited keeps the wanted limit, applied when the user is invited again.
    pub(crate) async fn sync_space_limit(
        &self,
        ctx: &WriteContext,
        found: &Found,
        desired: &ScimUser,
        plan: SpaceLimitPlan,
    ) -> Result<ScimUser, BridgeError> {
        let mut shown = desired.clone();
        shown.space_limit_gb = match found {
            _ if !self.settings().space_limits.enabled => plan.shown,
            Found::Invite(_) => self.wanted_space_limit(desired)?,
            Found::Member {
                scim_id, profile, ..
            } => {
                let wanted = self.wanted_space_limit(desired)?;
                self.change_space_limit(ctx, scim_id, profile, plan.held, wanted)
                    .await?
            }
        };
        Ok(shown)
    }

    /// `POST /Users` after `members/add_v2` (or a recovery): applies the wanted limit. If Dropbox
    /// refuses it, the new user's extras are kept without one before the error is returned, so the
    /// IdP finds the user and a later write applies the limit.
    pub(crate) async fn space_limit_after_add(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        desired: &ScimUser,
    ) -> Result<ScimUser, BridgeError> {
        let found = Found::Member {
            scim_id: scim_id.to_owned(),
            profile: Box::new(profile.clone()),
            roles: None,
        };
        let before = self.space_limit_shown(scim_id).await?;
        let plan = SpaceLimitPlan {
            shown: before,
            held: before,
        };
        match self.sync_space_limit(ctx, &found, desired, plan).await {
            Err(e) => {
                let mut extras = extras_of(desired);
                extras.space_limit_gb = before;
                self.store()
                    .put_extras(scim_id, &extras, chrono::Utc::now())
                    .await?;
                Err(e)
            }
            ok => ok,
        }
    }

    /// One Dropbox call when `wanted` differs from `set` (what Dropbox holds; none otherwise), audited
    /// with both values; returns the limit now held.
    async fn change_space_limit(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        set: Option<u32>,
        wanted: Option<u32>,
    ) -> Result<Option<u32>, BridgeError> {
        if wanted == set || matches!(profile.status, TeamMemberStatus::Removed(_)) {
            return Ok(set);
        }
        let user = UserSelectorArg::TeamMemberId(profile.team_member_id.clone());
        let client = self.dropbox_for(ctx);
        let in_team = match wanted {
            Some(gb) => {
                let arg = SetCustomQuotaArg::new(vec![UserCustomQuotaArg::new(user, gb)]);
                let results = client.member_space_limits_set_custom_quota(&arg).await;
                let results = results.map_err(|e| self.quota_refused(e))?;
                results
                    .iter()
                    .all(|r| matches!(r, CustomQuotaResult::Success(_)))
            }
            None => {
                let arg = CustomQuotaUsersArg::new(vec![user]);
                let results = client.member_space_limits_remove_custom_quota(&arg).await;
                let results = results.map_err(|e| self.quota_refused(e))?;
                results
                    .iter()
                    .all(|r| matches!(r, RemoveCustomQuotaResult::Success(_)))
            }
        };
        if !in_team {
            return Err(Refusal::MemberNotFound.into());
        }
        let show = |v: Option<u32>| v.map_or_else(|| "none".to_owned(), |gb| format!("{gb} GB"));
        let detail = format!("space limit changed from {} to {}", show(set), show(wanted));
        tracing::info!(request_id = %ctx.request_id, scim_id, before = ?set, after = ?wanted, "member space limit changed");
        self.audit(ctx, "User", Some(scim_id), 200, Some(detail))
            .await;
        Ok(wanted)
    }

    /// How a refused `set_custom_quota` or `remove_custom_quota` answers: the member on the team's
    /// excluded list, or the team without member space limits, is 400 naming the attribute.
    fn quota_refused<E: serde::Serialize>(&self, e: DropboxError<E>) -> BridgeError {
        let attr = self.space_limit_attr();
        if e.has_tag("some_users_are_excluded") {
            return ScimError::invalid_value(format!(
                "{attr}: this member is on the team's space-limit excluded list, so Dropbox keeps \
                 no custom limit for it; take the member off the list in the Admin console, or \
                 unset {attr}"
            ))
            .into();
        }
        let refused = match &e.kind {
            ErrorKind::BadRequest(_) => true,
            ErrorKind::Api(_) => !e.has_tag("too_many_users"),
            _ => false,
        };
        if refused {
            let why = e.api_tag().unwrap_or_else(|| "a bad request".to_owned());
            return ScimError::invalid_value(format!(
                "{attr}: Dropbox refused the custom space limit ({why}); the team needs member \
                 space limits turned on (Admin console, Settings, Member space limits) first"
            ))
            .into();
        }
        from_dropbox(e)
    }
}

//! The user write operations: create, replace, patch and delete (RFC 7644 sections 3.3, 3.5, 3.6).

use super::apply::validate;
use super::lookup::Found;
use super::mapping::{DropboxFields, extras_of};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    MemberAddV2Result, MembersGetInfoItemV2, MembersGetInfoV2Arg, MembersRecoverArg,
    MembersUnsuspendArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::patch::{apply, parse_patch};
use crate::scim::resource::ScimUser;
use crate::scim::schema::user_schema;
use serde_json::Value;

/// Turns the one-item result of `members/add_v2` into the new member or a SCIM error.
pub(crate) fn add_result(items: Vec<MemberAddV2Result>) -> Result<TeamMemberProfile, BridgeError> {
    let uniqueness = |detail: &str| BridgeError::Scim(ScimError::uniqueness(detail));
    match items.into_iter().next() {
        Some(MemberAddV2Result::Success(info)) => Ok(info.profile),
        Some(MemberAddV2Result::UserAlreadyOnTeam(_)) => Err(uniqueness(
            "a Dropbox team member with this userName (e-mail) already exists",
        )),
        Some(MemberAddV2Result::DuplicateExternalMemberId(_)) => Err(uniqueness(
            "another Dropbox team member already has this externalId",
        )),
        Some(MemberAddV2Result::UserOnAnotherTeam(_)) => Err(uniqueness(
            "this e-mail belongs to a member of another Dropbox team",
        )),
        Some(
            MemberAddV2Result::TeamLicenseLimit(_)
            | MemberAddV2Result::FreeTeamMemberLimitReached(_),
        ) => Err(BridgeError::Scim(ScimError::new(
            403,
            None,
            "the Dropbox team has no free licence: add licences or remove members, then retry",
        ))),
        Some(other) => Err(BridgeError::Scim(ScimError::new(
            400,
            None,
            format!(
                "Dropbox refused to add the member: {}",
                crate::dropbox::union_tag(&other)
            ),
        ))),
        None => Err(BridgeError::Internal(
            "members/add_v2 answered no result".to_owned(),
        )),
    }
}

impl Bridge {
    /// `POST /Users`: invite a new member (or bring back one the IdP deleted or Dropbox can recover).
    pub async fn create_user(
        &self,
        ctx: &WriteContext,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        let desired = ScimUser::from_json(body)?;
        validate(&desired)?;
        let email = DropboxFields::of(&desired).email.to_lowercase();
        let _turn = self.inner.locks.lock(&format!("user-email:{email}")).await;
        let result = self.create_locked(ctx, &desired).await;
        self.finish(ctx, "User", &result).await;
        result
    }

    async fn create_locked(
        &self,
        ctx: &WriteContext,
        desired: &ScimUser,
    ) -> Result<ScimUser, BridgeError> {
        let fields = DropboxFields::of(desired);
        let email = fields.email.as_str();
        if self
            .store()
            .find_inactive_invite_by_email(email)
            .await?
            .is_some()
        {
            return Err(ScimError::uniqueness(
                "a user with this userName already exists (deactivated); reactivate it instead",
            )
            .into());
        }
        // Re-creating someone the IdP deleted while the member still exists restores that member.
        if let Some(tomb) = self.store().find_deleted_user_by_email(email).await? {
            if let Some(found) = self.find_by_id(&tomb.scim_id, true).await? {
                let found = self.restore(ctx, &tomb.scim_id, found).await?;
                let mut wanted = desired.clone();
                wanted.active = Some(true);
                let found = self.apply_user(ctx, found, &wanted).await?;
                return self.render(&found, true).await;
            }
            self.store().delete_deleted_user(&tomb.scim_id).await?;
        }
        let profile = match self.invite_member(ctx, &fields).await {
            Err(BridgeError::Scim(e)) if e.status == 409 => {
                let Some(removed) = self.recoverable_member(email).await? else {
                    return Err(BridgeError::Scim(e));
                };
                if !self.settings().recover_recently_removed {
                    // The IdP cannot find this user (removed members are not listed), so
                    // "already exists" alone would leave its operator guessing.
                    return Err(ScimError::uniqueness(
                        "this e-mail belongs to a member removed less than 7 days ago, which Dropbox \
                         keeps reserved for recovery: set users.recover_recently_removed = true to \
                         restore that member, or retry after the 7 days",
                    )
                    .into());
                }
                self.recover_member(ctx, removed).await?
            }
            other => other?,
        };
        let scim_id = self.scim_id_of(&profile.team_member_id).await?;
        self.store()
            .put_extras(&scim_id, &extras_of(desired), chrono::Utc::now())
            .await?;
        self.mirror_member(&profile).await?;
        let mut found = Found::Member {
            scim_id,
            profile: Box::new(profile),
        };
        if desired.active == Some(false) {
            found = self.apply_user(ctx, found, desired).await?;
        }
        self.render(&found, true).await
    }

    /// The removed member that still holds `email` and can be recovered, if any.
    async fn recoverable_member(
        &self,
        email: &str,
    ) -> Result<Option<TeamMemberProfile>, BridgeError> {
        let arg = MembersGetInfoV2Arg::new(vec![UserSelectorArg::Email(email.to_owned())]);
        let info = self
            .dropbox()
            .members_get_info_v2(&arg)
            .await
            .map_err(from_dropbox)?;
        let Some(MembersGetInfoItemV2::MemberInfo(member)) = info.members_info.into_iter().next()
        else {
            return Ok(None);
        };
        Ok(
            matches!(&member.profile.status, TeamMemberStatus::Removed(r) if r.is_recoverable)
                .then_some(member.profile),
        )
    }

    /// `members/recover` for a member removed less than 7 days ago, so files and groups come back.
    async fn recover_member(
        &self,
        ctx: &WriteContext,
        removed: TeamMemberProfile,
    ) -> Result<TeamMemberProfile, BridgeError> {
        let selector = UserSelectorArg::TeamMemberId(removed.team_member_id.clone());
        let result = self
            .dropbox()
            .members_recover(&MembersRecoverArg::new(selector.clone()))
            .await;
        ctx.record("members/recover", &result);
        result.map_err(from_dropbox)?;
        // A tombstone is keyed by the SCIM id, which differs from the member id after a re-invitation.
        let scim_id = self.scim_id_of(&removed.team_member_id).await?;
        self.store().delete_deleted_user(&scim_id).await?;
        self.member_info(selector)
            .await?
            .ok_or_else(|| BridgeError::Internal("recovered member not found".to_owned()))
    }

    /// Undoes a DELETE that has not removed the member yet: cancels the deferred removal,
    /// drops the tombstone and unsuspends.
    pub(crate) async fn restore(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        found: Found,
    ) -> Result<Found, BridgeError> {
        let now = chrono::Utc::now();
        self.store().cancel_removal(scim_id, now).await?;
        self.store().delete_deleted_user(scim_id).await?;
        if let Found::Member { profile, .. } = &found {
            if matches!(profile.status, TeamMemberStatus::Suspended) {
                let arg = MembersUnsuspendArg::new(UserSelectorArg::TeamMemberId(
                    profile.team_member_id.clone(),
                ));
                let result = self.dropbox().members_unsuspend(&arg).await;
                ctx.record("members/unsuspend", &result);
                if let Err(e) = result {
                    if !e.has_tag("unsuspend_non_suspended_member") {
                        return Err(from_dropbox(e));
                    }
                }
                let mut p = profile.clone();
                p.status = TeamMemberStatus::Active;
                self.mirror_member(&p).await?;
                return Ok(Found::Member {
                    scim_id: scim_id.to_owned(),
                    profile: p,
                });
            }
        }
        Ok(found)
    }

    /// `PUT /Users/{id}`: the whole user is replaced by the body.
    pub async fn replace_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        let desired = ScimUser::from_json(body)?;
        self.write_user(ctx, id, move |_| Ok(desired)).await
    }

    /// `PATCH /Users/{id}`: the operations are applied to the current user, validated as a whole,
    /// and only then turned into Dropbox calls.
    pub async fn patch_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        let ops = parse_patch(&body)?;
        self.write_user(ctx, id, move |current| {
            let mut doc = current.to_json("");
            apply(&ops, &mut doc, user_schema())?;
            ScimUser::from_json(doc)
        })
        .await
    }

    async fn write_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        desired: impl FnOnce(&ScimUser) -> Result<ScimUser, ScimError>,
    ) -> Result<ScimUser, BridgeError> {
        let _turn = self.inner.locks.lock(&format!("user:{id}")).await;
        let result = async {
            let Some(found) = self.find_by_id(id, true).await? else {
                return Err(BridgeError::not_found("User", id));
            };
            let current = self.render(&found, false).await?;
            let wanted = desired(&current)?;
            let tombstoned = self.store().get_deleted_user(id).await?.is_some();
            let found = if tombstoned {
                // The IdP deleted this user; only a reactivation brings it back.
                if wanted.active != Some(true) {
                    return Err(BridgeError::not_found("User", id));
                }
                self.restore(ctx, id, found).await?
            } else {
                found
            };
            let found = self.apply_user(ctx, found, &wanted).await?;
            self.render(&found, true).await
        }
        .await;
        self.finish(ctx, "User", &result).await;
        result
    }

    /// Audits a finished user write.
    pub(crate) async fn finish(
        &self,
        ctx: &WriteContext,
        resource: &str,
        result: &Result<ScimUser, BridgeError>,
    ) {
        match result {
            Ok(user) => {
                let status = if ctx.operation.starts_with("POST") {
                    201
                } else {
                    200
                };
                self.audit(ctx, resource, user.id.as_deref(), status, None)
                    .await
            }
            Err(e) => self.audit(ctx, resource, None, e.status(), None).await,
        }
    }
}

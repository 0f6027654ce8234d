//! `POST /Users` (RFC 7644 section 3.3): invite a new member, or bring back one the IdP deleted or
//! Dropbox can still recover.

use super::lookup::Found;
use super::mapping::{DropboxFields, extras_of};
use super::reconcile::validate;
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    MembersGetInfoItemV2, MembersRecoverArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::resource::ScimUser;
use serde_json::Value;

impl Bridge {
    /// `POST /Users`: invite a new member (or bring back one the IdP deleted or Dropbox can recover).
    pub async fn create_user(
        &self,
        ctx: &WriteContext,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        let desired = ScimUser::from_json(body).and_then(|d| validate(&d).map(|()| d));
        let desired = desired.and_then(|d| self.check_admin_roles(&d).map(|()| d));
        let desired = self.audit_refusal(ctx, "User", desired).await?;
        let email = DropboxFields::of(&desired).email.to_lowercase();
        let _turn = self.inner.locks.lock(&format!("user-email:{email}")).await;
        let result = self.create_locked(ctx, &desired).await;
        self.audit_user_write(ctx, &result).await;
        result
    }

    async fn create_locked(
        &self,
        ctx: &WriteContext,
        desired: &ScimUser,
    ) -> Result<ScimUser, BridgeError> {
        let mut fields = DropboxFields::of(desired);
        fields.role_ids = self.invite_role_ids(desired).await?;
        let email = fields.email.as_str();
        self.check_not_held_by_invitee(None, desired).await?;
        self.check_space_limit(None, desired).await?;
        if let Some(found) = self.recreate_deleted(ctx, email, desired).await? {
            return self.render(&found, true).await;
        }
        let profile = self.invite_or_recover(ctx, &fields).await?;
        let scim_id = self.scim_id_of(&profile.team_member_id).await?;
        let desired = &self
            .space_limit_after_add(ctx, &scim_id, &profile, desired)
            .await?;
        self.store()
            .put_extras(&scim_id, &extras_of(desired), chrono::Utc::now())
            .await?;
        self.mirror_member(&profile).await?;
        let roles = self
            .invited_roles(ctx, &scim_id, &profile, fields.role_ids.as_deref())
            .await?;
        let profile = self.sync_secondary_emails(ctx, profile, desired).await?;
        let mut found = Found::Member {
            scim_id,
            profile: Box::new(profile),
            roles,
        };
        found = self.sync_admin_role(ctx, found, desired).await?;
        if desired.active == Some(false) {
            found = self.reconcile_user(ctx, found, desired).await?;
        }
        self.render(&found, true).await
    }

    /// Re-creating someone the IdP deleted while the member still exists restores that member; a
    /// tombstone whose member is gone is dropped.
    async fn recreate_deleted(
        &self,
        ctx: &WriteContext,
        email: &str,
        desired: &ScimUser,
    ) -> Result<Option<Found>, BridgeError> {
        let Some(tomb) = self.store().find_deleted_user_by_email(email).await? else {
            return Ok(None);
        };
        if let Some(found) = self.find_by_id(&tomb.scim_id, true).await? {
            let found = self.restore(ctx, &tomb.scim_id, found).await?;
            let mut wanted = desired.clone();
            wanted.active = Some(true);
            return Ok(Some(self.reconcile_user(ctx, found, &wanted).await?));
        }
        self.store().delete_deleted_user(&tomb.scim_id).await?;
        Ok(None)
    }

    /// Invites the person; when the e-mail belongs to a recently removed member, recovers that member
    /// instead (if configured to).
    async fn invite_or_recover(
        &self,
        ctx: &WriteContext,
        fields: &DropboxFields,
    ) -> Result<TeamMemberProfile, BridgeError> {
        match self.invite_member(ctx, fields).await {
            Err(BridgeError::Scim(e)) if e.status == 409 => {
                let Some(removed) = self.recoverable_member(&fields.email).await? else {
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
                self.recover_member(ctx, removed).await
            }
            other => other,
        }
    }

    /// The removed member that still holds `email` and can be recovered, if any.
    async fn recoverable_member(
        &self,
        email: &str,
    ) -> Result<Option<TeamMemberProfile>, BridgeError> {
        let item = self
            .member_info_item(UserSelectorArg::Email(email.to_owned()))
            .await
            .map_err(from_dropbox)?;
        let MembersGetInfoItemV2::MemberInfo(member) = item else {
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
            .dropbox_for(ctx)
            .members_recover(&MembersRecoverArg::new(selector.clone()))
            .await;
        if let Err(e) = result {
            // A retry after a hidden success answers one of these: done if the member is back.
            let maybe_done = e.has_tag("user_unrecoverable") || e.has_tag("user_not_in_team");
            if !maybe_done || self.member_info(selector.clone()).await?.is_none() {
                return Err(from_dropbox(e));
            }
        }
        // A tombstone is keyed by the SCIM id, which differs from the member id after a re-invitation.
        let scim_id = self.scim_id_of(&removed.team_member_id).await?;
        self.store().delete_deleted_user(&scim_id).await?;
        self.member_info(selector)
            .await?
            .ok_or_else(|| BridgeError::Internal("recovered member not found".to_owned()))
    }
}

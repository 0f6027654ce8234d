//! Bringing an existing user to a desired SCIM state in the fewest Dropbox calls: one
//! `set_profile_v2` for name, e-mail and externalId; suspend/unsuspend only when `active` really changes.

use super::lookup::Found;
use super::mapping::{DropboxFields, dropbox_email, extras_of};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext, limits};
use crate::dropbox::team::{
    MemberAddV2Arg, MembersAddV2Arg, MembersDeactivateArg, MembersRemoveArg, MembersSetProfileArg,
    MembersUnsuspendArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::resource::ScimUser;
use crate::store::InactiveInvite;

/// Checks every field Dropbox will receive against Dropbox's limits, before any call.
pub(crate) fn validate(user: &ScimUser) -> Result<(), ScimError> {
    if dropbox_email(user).is_none() {
        limits::check_email("userName", user.user_name.trim()).map_err(|_| {
            ScimError::invalid_value(
                "userName must be an e-mail address, or `emails` must hold one: Dropbox identifies members by e-mail",
            )
        })?;
    }
    if let Some(g) = &user.name.given_name {
        limits::check_name_part("name.givenName", g)?;
    }
    if let Some(f) = &user.name.family_name {
        limits::check_name_part("name.familyName", f)?;
    }
    if let Some(x) = user.external_id.as_deref().filter(|x| !x.is_empty()) {
        limits::check_external_id(x)?;
    }
    Ok(())
}

impl Bridge {
    /// Applies `desired` to what was found and returns the result as the IdP will see it.
    pub(crate) async fn apply_user(
        &self,
        ctx: &WriteContext,
        found: Found,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        validate(desired)?;
        let found = match found {
            Found::Member { scim_id, profile } => {
                self.apply_to_member(ctx, scim_id, *profile, desired)
                    .await?
            }
            Found::Invite(inv) => self.apply_to_invite(ctx, inv, desired).await?,
        };
        self.store()
            .put_extras(found.scim_id(), &extras_of(desired), chrono::Utc::now())
            .await?;
        Ok(found)
    }

    async fn apply_to_member(
        &self,
        ctx: &WriteContext,
        scim_id: String,
        mut profile: TeamMemberProfile,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        let member_id = profile.team_member_id.clone();
        let selector = || UserSelectorArg::TeamMemberId(member_id.clone());
        let now = DropboxFields::of_profile(&profile);
        let want = DropboxFields::of(desired);
        let mut arg = MembersSetProfileArg::new(selector());
        let mut changed = false;
        if !now.email.eq_ignore_ascii_case(&want.email) {
            arg.new_email = Some(want.email.clone());
            changed = true;
        }
        if want.given_name.is_some() && want.given_name != now.given_name {
            arg.new_given_name = want.given_name.clone();
            changed = true;
        }
        if want.surname.is_some() && want.surname != now.surname {
            arg.new_surname = want.surname.clone();
            changed = true;
        }
        if want.external_id != now.external_id {
            // An empty new_external_id clears it in Dropbox.
            arg.new_external_id = Some(want.external_id.clone().unwrap_or_default());
            changed = true;
        }
        if changed {
            let result = self.dropbox().members_set_profile_v2(&arg).await;
            ctx.record("members/set_profile_v2", &result);
            profile = result.map_err(from_dropbox)?.member_info.profile;
        }
        let is_active = !matches!(profile.status, TeamMemberStatus::Suspended);
        match (desired.active, &profile.status) {
            (Some(false), TeamMemberStatus::Active) => {
                let arg = MembersDeactivateArg::new(selector())
                    .with_wipe_data(self.settings().suspend_wipe_data);
                let result = self.dropbox().members_suspend(&arg).await;
                ctx.record("members/suspend", &result);
                // A retried suspend whose first attempt went through answers suspend_inactive_user.
                if let Err(e) = result {
                    if !e.has_tag("suspend_inactive_user") {
                        return Err(from_dropbox(e));
                    }
                }
                profile.status = TeamMemberStatus::Suspended;
            }
            (Some(false), TeamMemberStatus::Invited) => {
                return self.withdraw_invitation(ctx, scim_id, profile).await;
            }
            (Some(true), TeamMemberStatus::Suspended) if !is_active => {
                let result = self
                    .dropbox()
                    .members_unsuspend(&MembersUnsuspendArg::new(selector()))
                    .await;
                ctx.record("members/unsuspend", &result);
                if let Err(e) = result {
                    if !e.has_tag("unsuspend_non_suspended_member") {
                        return Err(from_dropbox(e));
                    }
                }
                profile.status = TeamMemberStatus::Active;
            }
            _ => {}
        }
        self.mirror_member(&profile).await?;
        Ok(Found::Member {
            scim_id,
            profile: Box::new(profile),
        })
    }

    /// Dropbox cannot suspend an invited member: withdraw the invitation so the person cannot join,
    /// and keep the user (same SCIM id, `active: false`) in the store.
    pub(crate) async fn withdraw_invitation(
        &self,
        ctx: &WriteContext,
        scim_id: String,
        profile: TeamMemberProfile,
    ) -> Result<Found, BridgeError> {
        let arg = MembersRemoveArg::new(UserSelectorArg::TeamMemberId(
            profile.team_member_id.clone(),
        ));
        // Dropbox drops the memberships with the invitation; the bridge holds them until re-invitation.
        self.hold_memberships(ctx, &scim_id, &profile.groups)
            .await?;
        let result = self.dropbox().remove_member_wait(&arg).await;
        ctx.record("members/remove", &result);
        result.map_err(from_dropbox)?;
        let invite = InactiveInvite {
            scim_id: scim_id.clone(),
            email: profile.email.clone(),
            external_id: profile.external_id.clone().filter(|x| !x.is_empty()),
            given_name: Some(profile.name.given_name.clone()).filter(|s| !s.is_empty()),
            family_name: Some(profile.name.surname.clone()).filter(|s| !s.is_empty()),
            extra: "{}".to_owned(),
            team_member_id: Some(profile.team_member_id.clone()),
            deactivated_at: chrono::Utc::now(),
        };
        self.store().put_inactive_invite(&invite).await?;
        self.store().mirror_delete(&profile.team_member_id).await?;
        Ok(Found::Invite(invite))
    }

    async fn apply_to_invite(
        &self,
        ctx: &WriteContext,
        mut invite: InactiveInvite,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        let want = DropboxFields::of(desired);
        if desired.active == Some(true) {
            let profile = self.invite_member(ctx, &want).await?;
            let store = self.store();
            store
                .set_alias(&invite.scim_id, &profile.team_member_id, chrono::Utc::now())
                .await?;
            store.delete_inactive_invite(&invite.scim_id).await?;
            self.restore_memberships(ctx, &invite.scim_id, &profile.team_member_id)
                .await?;
            self.mirror_member(&profile).await?;
            return Ok(Found::Member {
                scim_id: invite.scim_id,
                profile: Box::new(profile),
            });
        }
        invite.email = want.email;
        invite.given_name = want.given_name;
        invite.family_name = want.surname;
        invite.external_id = want.external_id;
        self.store().put_inactive_invite(&invite).await?;
        Ok(Found::Invite(invite))
    }

    /// `members/add_v2` for one person; Dropbox's per-item failures become SCIM errors.
    pub(crate) async fn invite_member(
        &self,
        ctx: &WriteContext,
        f: &DropboxFields,
    ) -> Result<TeamMemberProfile, BridgeError> {
        let mut member = MemberAddV2Arg::new(f.email.clone())
            .with_send_welcome_email(self.settings().send_welcome_email);
        member.member_given_name = f.given_name.clone();
        member.member_surname = f.surname.clone();
        member.member_external_id = f.external_id.clone();
        let arg = MembersAddV2Arg::new(vec![member]);
        let result = self.dropbox().add_members_wait(&arg).await;
        ctx.record("members/add_v2", &result);
        let items = match result {
            Ok(items) => items,
            Err(e) if e.is_transient() => {
                // add_v2 is not idempotent and is never re-sent blindly: a look-up tells whether
                // the first attempt created the member.
                let found = self
                    .member_info(UserSelectorArg::Email(f.email.clone()))
                    .await?;
                return found.ok_or_else(|| from_dropbox(e));
            }
            Err(e) => return Err(from_dropbox(e)),
        };
        super::create::add_result(items)
    }
}

//! Reconciling an existing user with the wanted SCIM state in the fewest Dropbox calls: one
//! `set_profile_v2` for name, e-mail and externalId; suspend/unsuspend only when `active` really changes;
//! `active` on an invitee goes to `invitation`.

use super::admin_role::MemberRoles;
use super::lookup::Found;
use super::mapping::{DropboxFields, dropbox_email, extras_of};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext, limits};
use crate::dropbox::team::{
    MembersSetProfileArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::resource::ScimUser;
use crate::store::InactiveInvite;

/// Checks every field Dropbox will receive against Dropbox's limits, before any call.
pub(crate) fn validate(user: &ScimUser) -> Result<(), ScimError> {
    // An address Dropbox's pattern refuses would come back as a 400 from Dropbox (a 500 here): a
    // userName that looks like an e-mail must be one Dropbox accepts, and so must every emails value.
    if user.user_name.contains('@') {
        limits::check_email("userName", user.user_name.trim())?;
    }
    for e in &user.emails {
        limits::check_email("emails.value", e.value.trim())?;
    }
    if let Some(d) = &user.display_name {
        limits::check_no_hidden_chars("displayName", d)?;
    }
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
    /// Brings what was found to `desired` and returns the result as the IdP will see it.
    pub(crate) async fn reconcile_user(
        &self,
        ctx: &WriteContext,
        found: Found,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        validate(desired)?;
        let space = self.check_space_limit(Some(&found), desired).await?;
        self.check_not_held_by_invitee(Some(found.scim_id()), desired)
            .await?;
        let found = match found {
            Found::Member {
                scim_id,
                profile,
                roles,
            } => {
                self.reconcile_member(ctx, scim_id, *profile, roles, desired)
                    .await?
            }
            Found::Invite(inv) => self.reconcile_invitee(ctx, inv, desired).await?,
        };
        // A role granted once the member can hold it (after an unsuspension or a re-invitation).
        let found = self.sync_admin_role(ctx, found, desired).await?;
        let desired = &self.sync_space_limit(ctx, &found, desired, space).await?;
        self.store()
            .put_extras(found.scim_id(), &extras_of(desired), chrono::Utc::now())
            .await?;
        Ok(found)
    }

    /// 409 `uniqueness` when another user deactivated while invited (`scim_id` is the user being
    /// written, if it exists) holds the wanted e-mail or externalId, before any Dropbox call: the store
    /// keeps both unique among those users, so the write could not be recorded (it was a 500, found by
    /// `.ci/schemathesis.sh`, after the invitation was already withdrawn).
    pub(crate) async fn check_not_held_by_invitee(
        &self,
        scim_id: Option<&str>,
        desired: &ScimUser,
    ) -> Result<(), BridgeError> {
        let want = DropboxFields::of(desired);
        let other = |inv: &InactiveInvite| Some(inv.scim_id.as_str()) != scim_id;
        let store = self.store();
        if let Some(inv) = store.find_inactive_invite_by_email(&want.email).await? {
            if other(&inv) {
                return Err(ScimError::uniqueness(
                    "a user with this userName already exists (deactivated); reactivate it instead",
                )
                .into());
            }
        }
        if let Some(x) = &want.external_id {
            if let Some(inv) = store.find_inactive_invite_by_external_id(x).await? {
                if other(&inv) {
                    return Err(ScimError::uniqueness(
                        "another user (deactivated) already has this externalId",
                    )
                    .into());
                }
            }
        }
        Ok(())
    }

    /// A Dropbox member (joined or invited): profile fields first, then `active`.
    async fn reconcile_member(
        &self,
        ctx: &WriteContext,
        scim_id: String,
        profile: TeamMemberProfile,
        roles: MemberRoles,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        let mut profile = self.update_profile(ctx, profile, desired).await?;
        // The admin role changes before `active` does: a demotion must precede the suspension.
        let roles = self
            .sync_member_role(ctx, &scim_id, &profile, roles, desired)
            .await?;
        match (desired.active, &profile.status) {
            (Some(false), TeamMemberStatus::Active) => self.suspend(ctx, &mut profile).await?,
            (Some(false), TeamMemberStatus::Invited) => {
                return self.deactivate_invitee(ctx, scim_id, profile).await;
            }
            (Some(true), TeamMemberStatus::Suspended) => {
                self.unsuspend(ctx, &mut profile).await?;
            }
            _ => {}
        }
        let profile = self.sync_secondary_emails(ctx, profile, desired).await?;
        self.mirror_member(&profile).await?;
        Ok(Found::Member {
            scim_id,
            profile: Box::new(profile),
            roles,
        })
    }

    /// One `members/set_profile_v2` for what differs in e-mail, names and externalId (none if nothing does).
    async fn update_profile(
        &self,
        ctx: &WriteContext,
        profile: TeamMemberProfile,
        desired: &ScimUser,
    ) -> Result<TeamMemberProfile, BridgeError> {
        let now = DropboxFields::of_profile(&profile);
        let want = DropboxFields::of(desired);
        let mut arg = MembersSetProfileArg::new(UserSelectorArg::TeamMemberId(
            profile.team_member_id.clone(),
        ));
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
        if !changed {
            return Ok(profile);
        }
        let result = self.dropbox_for(ctx).members_set_profile_v2(&arg).await;
        Ok(result.map_err(from_dropbox)?.member_info.profile)
    }

    /// A deactivated invitee, known only to the store: reactivated, or its stored fields updated.
    async fn reconcile_invitee(
        &self,
        ctx: &WriteContext,
        mut invite: InactiveInvite,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        let want = DropboxFields::of(desired);
        if desired.active == Some(true) {
            return self.reactivate_invitee(ctx, invite, &want).await;
        }
        invite.email = want.email;
        invite.given_name = want.given_name;
        invite.family_name = want.surname;
        invite.external_id = want.external_id;
        self.store().put_inactive_invite(&invite).await?;
        Ok(Found::Invite(invite))
    }
}

//! Invitations: inviting a person (`members/add_v2`), and `active: false`/`true` for someone who has not
//! joined yet. Dropbox cannot suspend an invitee, so deactivating one withdraws the invitation and keeps
//! the user (and its group memberships, as held memberships) in the store until it is reactivated.

use super::lookup::Found;
use super::mapping::DropboxFields;
use crate::bridge::errors::{Refusal, from_dropbox};
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    MemberAddV2Arg, MemberAddV2Result, MembersRemoveArg, TeamMemberProfile, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::store::InactiveInvite;

/// Turns the one-item result of `members/add_v2` into the new member or a SCIM error.
pub(crate) fn add_result(items: Vec<MemberAddV2Result>) -> Result<TeamMemberProfile, BridgeError> {
    match items.into_iter().next() {
        Some(MemberAddV2Result::Success(info)) => Ok(info.profile),
        Some(MemberAddV2Result::UserAlreadyOnTeam(_)) => Err(Refusal::EmailTaken.into()),
        Some(MemberAddV2Result::DuplicateExternalMemberId(_)) => {
            Err(Refusal::MemberExternalIdTaken.into())
        }
        Some(MemberAddV2Result::UserOnAnotherTeam(_)) => Err(Refusal::EmailOnAnotherTeam.into()),
        Some(
            MemberAddV2Result::TeamLicenseLimit(_)
            | MemberAddV2Result::FreeTeamMemberLimitReached(_),
        ) => Err(Refusal::NoLicence.into()),
        Some(other) => Err(BridgeError::Scim(ScimError::bad_request(format!(
            "Dropbox refused to add the member: {}",
            crate::dropbox::union_tag(&other)
        )))),
        None => Err(BridgeError::Internal(
            "members/add_v2 answered no result".to_owned(),
        )),
    }
}

impl Bridge {
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
        member.role_ids = f.role_ids.clone();
        // Shared with concurrent invitations (bridge::coalesce); the item is this member's own.
        let items = match self.add_member_shared(ctx, member).await {
            Ok(item) => vec![item],
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
        add_result(items)
    }

    /// `active: false` on an invited member: holds its group memberships, withdraws the invitation so
    /// the person cannot join, and keeps the user (same SCIM id, `active: false`) in the store.
    pub(crate) async fn deactivate_invitee(
        &self,
        ctx: &WriteContext,
        scim_id: String,
        profile: TeamMemberProfile,
    ) -> Result<Found, BridgeError> {
        // The invitation time goes with the invitation: keep it, so that `meta.created` does not move.
        if let Some(at) = super::mapping::dropbox_created(&profile) {
            self.store().note_user_created(&scim_id, at).await?;
        }
        // Dropbox drops the memberships with the invitation; the bridge holds them until re-invitation.
        self.hold_memberships(ctx, &scim_id, &profile.groups)
            .await?;
        self.withdraw_invitation(ctx, &profile).await?;
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

    /// `members/remove` of an invited member (waiting for an async removal to end). The client
    /// re-sends it when a reply is lost; a retry after a hidden success answers `user_not_in_team`
    /// (or `user_not_found` once Dropbox forgets the invitation), which means it is done.
    pub(crate) async fn withdraw_invitation(
        &self,
        ctx: &WriteContext,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        let arg = MembersRemoveArg::new(UserSelectorArg::TeamMemberId(
            profile.team_member_id.clone(),
        ));
        match self.dropbox_for(ctx).remove_member_wait(&arg).await {
            Ok(()) => Ok(()),
            // The member was an invitee a moment ago (the caller just read it).
            Err(e) if e.has_tag("user_not_in_team") || e.has_tag("user_not_found") => Ok(()),
            Err(e) => Err(from_dropbox(e)),
        }
    }

    /// `active: true` on a deactivated invitee: invites the person again under the same SCIM id and
    /// gives back the held group memberships.
    pub(crate) async fn reactivate_invitee(
        &self,
        ctx: &WriteContext,
        invite: InactiveInvite,
        want: &DropboxFields,
    ) -> Result<Found, BridgeError> {
        let profile = self.invite_member(ctx, want).await?;
        let store = self.store();
        store
            .set_alias(&invite.scim_id, &profile.team_member_id, chrono::Utc::now())
            .await?;
        store.delete_inactive_invite(&invite.scim_id).await?;
        self.give_back_held_memberships(ctx, &invite.scim_id, &profile.team_member_id)
            .await?;
        self.mirror_member(&profile).await?;
        Ok(Found::Member {
            scim_id: invite.scim_id,
            profile: Box::new(profile),
            // Invited without a role: `member_only`.
            roles: Some(Vec::new()),
        })
    }
}

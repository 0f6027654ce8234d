//! Finding a user: by SCIM id, e-mail or external id, live in Dropbox, plus the bridge's own records.

use super::mapping::{user_from_invite, user_from_member};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError};
use crate::dropbox::team::{
    MembersGetInfoItemV2, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::resource::ScimUser;
use crate::store::InactiveInvite;

/// What a SCIM id (or e-mail, or external id) stands for right now.
#[derive(Debug)]
pub enum Found {
    /// A Dropbox member (invited, active or suspended) under this SCIM id.
    Member {
        /// The SCIM id the IdP holds.
        scim_id: String,
        /// The member's current profile.
        profile: Box<TeamMemberProfile>,
    },
    /// Deactivated while invited: only the bridge remembers the user.
    Invite(InactiveInvite),
}

impl Found {
    /// The SCIM id.
    pub fn scim_id(&self) -> &str {
        match self {
            Found::Member { scim_id, .. } => scim_id,
            Found::Invite(inv) => &inv.scim_id,
        }
    }
}

impl Bridge {
    /// One live `members/get_info_v2` item for a selector (shared with concurrent look-ups); `None`
    /// when Dropbox has no such (non-removed) member.
    pub(crate) async fn member_info(
        &self,
        selector: UserSelectorArg,
    ) -> Result<Option<TeamMemberProfile>, BridgeError> {
        let item = self
            .member_info_item(selector)
            .await
            .map_err(from_dropbox)?;
        Ok(match item {
            MembersGetInfoItemV2::MemberInfo(info) => Some(info.profile),
            _ => None,
        }
        .filter(|p| !matches!(p.status, TeamMemberStatus::Removed(_))))
    }

    /// Resolves a SCIM id. Deleted users (tombstoned) are not found unless `include_deleted`.
    pub(crate) async fn find_by_id(
        &self,
        scim_id: &str,
        include_deleted: bool,
    ) -> Result<Option<Found>, BridgeError> {
        if scim_id.is_empty() || scim_id.len() > 256 {
            return Ok(None);
        }
        if !include_deleted && self.store().get_deleted_user(scim_id).await?.is_some() {
            return Ok(None);
        }
        if let Some(inv) = self.store().get_inactive_invite(scim_id).await? {
            return Ok(Some(Found::Invite(inv)));
        }
        let member_id = self
            .store()
            .alias_for(scim_id)
            .await?
            .unwrap_or_else(|| scim_id.to_owned());
        let profile = self
            .member_info(UserSelectorArg::TeamMemberId(member_id))
            .await?;
        Ok(profile.map(|p| Found::Member {
            scim_id: scim_id.to_owned(),
            profile: Box::new(p),
        }))
    }

    /// Finds a user by `userName` (e-mail, case-insensitive) or by `externalId`.
    pub(crate) async fn find_by_selector(
        &self,
        selector: UserSelectorArg,
        include_deleted: bool,
    ) -> Result<Option<Found>, BridgeError> {
        let invite = match &selector {
            UserSelectorArg::Email(e) => self.store().find_inactive_invite_by_email(e).await?,
            UserSelectorArg::ExternalId(x) => {
                self.store().find_inactive_invite_by_external_id(x).await?
            }
            UserSelectorArg::TeamMemberId(id) => return self.find_by_id(id, include_deleted).await,
        };
        if let Some(inv) = invite {
            return Ok(Some(Found::Invite(inv)));
        }
        let Some(profile) = self.member_info(selector).await? else {
            return Ok(None);
        };
        let scim_id = self.scim_id_of(&profile.team_member_id).await?;
        if !include_deleted && self.store().get_deleted_user(&scim_id).await?.is_some() {
            return Ok(None);
        }
        Ok(Some(Found::Member {
            scim_id,
            profile: Box::new(profile),
        }))
    }

    /// The SCIM id of a Dropbox member: its own id unless a re-invitation gave it a new one.
    pub(crate) async fn scim_id_of(&self, team_member_id: &str) -> Result<String, BridgeError> {
        Ok(self
            .store()
            .scim_id_for_member(team_member_id)
            .await?
            .unwrap_or_else(|| team_member_id.to_owned()))
    }

    /// Renders what was found as a SCIM user, with its extras (and, if asked, its groups).
    pub(crate) async fn render(
        &self,
        found: &Found,
        with_groups: bool,
    ) -> Result<ScimUser, BridgeError> {
        let extras = self.store().get_extras(found.scim_id()).await?;
        Ok(match found {
            Found::Member { scim_id, profile } => {
                let mut user = user_from_member(scim_id, profile, extras.as_ref());
                if with_groups {
                    user.groups = self.group_refs(&profile.groups).await?;
                }
                user
            }
            Found::Invite(inv) => user_from_invite(inv, extras.as_ref()),
        })
    }

    /// `GET /Users/{id}` (RFC 7644 section 3.4.1).
    pub async fn get_user(&self, id: &str) -> Result<ScimUser, BridgeError> {
        match self.find_by_id(id, false).await? {
            Some(found) => self.render(&found, true).await,
            None => Err(BridgeError::not_found("User", id)),
        }
    }
}

//! Finding a user: by SCIM id, e-mail or external id, live in Dropbox, plus the bridge's own records.

use super::admin_role::MemberRoles;
use super::mapping::{user_from_invite, user_from_member};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError};
use crate::dropbox::team::{
    MembersGetInfoItemV2, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::resource::ScimUser;
use crate::store::{InactiveInvite, UserExtras};

/// What a SCIM id (or e-mail, or external id) stands for right now.
#[derive(Debug)]
pub enum Found {
    /// A Dropbox member (invited, active or suspended) under this SCIM id.
    Member {
        /// The SCIM id the IdP holds.
        scim_id: String,
        /// The member's current profile.
        profile: Box<TeamMemberProfile>,
        /// The member's admin roles, when the path that found it read them.
        roles: MemberRoles,
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
        Ok(self.member_info_with_roles(selector).await?.map(|(p, _)| p))
    }

    /// [`Bridge::member_info`] with the member's admin roles.
    pub(crate) async fn member_info_with_roles(
        &self,
        selector: UserSelectorArg,
    ) -> Result<Option<(TeamMemberProfile, MemberRoles)>, BridgeError> {
        let item = self
            .member_info_item(selector)
            .await
            .map_err(from_dropbox)?;
        Ok(match item {
            MembersGetInfoItemV2::MemberInfo(info) => Some((info.profile, info.roles)),
            _ => None,
        }
        .filter(|(p, _)| !matches!(p.status, TeamMemberStatus::Removed(_))))
    }

    /// Resolves a SCIM id. Deleted users (tombstoned) are not found unless `include_deleted`.
    pub(crate) async fn find_by_id(
        &self,
        scim_id: &str,
        include_deleted: bool,
    ) -> Result<Option<Found>, BridgeError> {
        Ok(self
            .find_by_id_with_extras(scim_id, include_deleted)
            .await?
            .map(|(found, _)| found))
    }

    /// Resolves a SCIM id, with its extras: one store round trip, then Dropbox for a member.
    pub(crate) async fn find_by_id_with_extras(
        &self,
        scim_id: &str,
        include_deleted: bool,
    ) -> Result<Option<(Found, Option<UserExtras>)>, BridgeError> {
        if scim_id.is_empty() || scim_id.len() > 256 {
            return Ok(None);
        }
        let record = self.user_record_cached(scim_id).await?;
        if !include_deleted && record.deleted {
            return Ok(None);
        }
        if let Some(inv) = record.invite {
            return Ok(Some((Found::Invite(inv), record.extras)));
        }
        let member_id = record.alias.unwrap_or_else(|| scim_id.to_owned());
        let profile = self
            .member_info_with_roles(UserSelectorArg::TeamMemberId(member_id))
            .await?;
        Ok(profile.map(|(p, roles)| {
            let found = Found::Member {
                scim_id: scim_id.to_owned(),
                profile: Box::new(p),
                roles,
            };
            (found, record.extras)
        }))
    }

    /// The read path's `id eq` and `GET /Users/{id}`: [`Bridge::find_by_id_with_extras`], deleted users hidden.
    pub(crate) async fn lookup_by_id(
        &self,
        scim_id: &str,
    ) -> Result<Option<(Found, Option<UserExtras>)>, BridgeError> {
        self.find_by_id_with_extras(scim_id, false).await
    }

    /// The read path's `userName eq` and `externalId eq`, deleted users hidden.
    pub(crate) async fn lookup_by_selector(
        &self,
        selector: UserSelectorArg,
    ) -> Result<Option<(Found, Option<UserExtras>)>, BridgeError> {
        self.find_by_selector_with_extras(selector, false).await
    }

    /// Finds a user by selector, with its extras. One store round trip reads the invitation and the
    /// mirrored member with that value before Dropbox is asked; a second one is needed only when
    /// Dropbox names a member the mirror does not (yet) hold under that value.
    pub(crate) async fn find_by_selector_with_extras(
        &self,
        selector: UserSelectorArg,
        include_deleted: bool,
    ) -> Result<Option<(Found, Option<UserExtras>)>, BridgeError> {
        let record = match &selector {
            UserSelectorArg::Email(e) => self.selector_record_by_email_cached(e).await?,
            UserSelectorArg::ExternalId(x) => self.selector_record_by_external_id_cached(x).await?,
            UserSelectorArg::TeamMemberId(id) => {
                return self.find_by_id_with_extras(id, include_deleted).await;
            }
        };
        if let Some((inv, extras)) = record.invite {
            return Ok(Some((Found::Invite(inv), extras)));
        }
        let Some((profile, roles)) = self.member_info_with_roles(selector).await? else {
            return Ok(None);
        };
        let member = match record
            .member
            .filter(|m| m.team_member_id == profile.team_member_id)
        {
            Some(m) => m,
            None => self.store().member_record(&profile.team_member_id).await?,
        };
        if !include_deleted && member.deleted {
            return Ok(None);
        }
        let found = Found::Member {
            scim_id: member.scim_id,
            profile: Box::new(profile),
            roles,
        };
        Ok(Some((found, member.extras)))
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
        self.render_with(found, extras.as_ref(), with_groups).await
    }

    /// Renders what was found with extras already read (and, if asked, its groups).
    pub(crate) async fn render_with(
        &self,
        found: &Found,
        extras: Option<&UserExtras>,
        with_groups: bool,
    ) -> Result<ScimUser, BridgeError> {
        Ok(match found {
            Found::Member {
                scim_id,
                profile,
                roles,
            } => {
                let mut user = user_from_member(scim_id, profile, extras);
                super::secondary_emails::show_secondary_emails(
                    &self.settings().secondary_emails,
                    &mut user,
                    profile,
                );
                if with_groups {
                    user.groups = self.group_refs(&profile.groups).await?;
                    self.show_admin_role(&mut user, roles.as_deref());
                }
                user
            }
            Found::Invite(inv) => {
                let mut user = user_from_invite(inv, extras);
                if with_groups {
                    let held = self.store().held_groups_of_user(&inv.scim_id).await?;
                    user.groups = self.group_refs(&held).await?;
                }
                user
            }
        })
    }

    /// `GET /Users/{id}` (RFC 7644 section 3.4.1).
    pub async fn get_user(&self, id: &str) -> Result<ScimUser, BridgeError> {
        match self.lookup_by_id(id).await? {
            Some((found, extras)) => self.render_with(&found, extras.as_ref(), true).await,
            None => Err(BridgeError::not_found("User", id)),
        }
    }
}

//! Dropbox admin roles driven by the IdP (`[roles]`, off by default): which role a user should hold
//! (from SCIM `roles` values and mapped group memberships), the one `members/set_admin_permissions_v2`
//! that changes it when it differs, the demotion before a suspension or removal, the audit record of
//! every change (the role read back in `roles` is `admin_role_view`).
//!
//! The role ids come from `members/get_available_team_member_roles`, asked once per process.
//! A role outside `roles.allowed` is refused (403) before any Dropbox call; a role the bridge may not
//! grant (say `team_admin` held by the team's own admin) is never taken away by it either.

use serde_json::Value;

use super::lookup::Found;
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::config::{AdminRole, RolesConfig};
use crate::dropbox::team::{
    MembersSetPermissions2Arg, TeamMemberProfile, TeamMemberRole, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::resource::{ScimUser, StoredAttributes};

/// A member's roles as Dropbox reported them; `None` when the path that found the member did not
/// read them.
pub(crate) type MemberRoles = Option<Vec<TeamMemberRole>>;

/// The team's Dropbox-defined roles (ids and names), as `get_available_team_member_roles` lists them.
#[derive(Debug, Default)]
pub(crate) struct RoleIds {
    roles: Vec<(AdminRole, TeamMemberRole)>,
}

impl RoleIds {
    fn of(role: AdminRole, ids: &[(AdminRole, TeamMemberRole)]) -> Option<&TeamMemberRole> {
        ids.iter().find(|(r, _)| *r == role).map(|(_, t)| t)
    }
}

/// The role a member holds: the highest of its Dropbox roles, `member_only` for none.
pub(crate) fn held_role(roles: &[TeamMemberRole]) -> AdminRole {
    roles
        .iter()
        .filter_map(|r| AdminRole::parse(&r.name))
        .min()
        .unwrap_or(AdminRole::MemberOnly)
}

/// The `value` of each item of a stored `roles` attribute (objects with `value`, or plain strings).
fn role_values(stored: &StoredAttributes) -> Vec<&str> {
    let Some(Value::Array(items)) = stored.get("roles") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Value::Object(o) => o.get("value").and_then(Value::as_str),
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}

/// The roles the user's `roles` values ask for (values that name no role are ordinary attributes).
fn asked_roles(cfg: &RolesConfig, stored: &StoredAttributes) -> Vec<AdminRole> {
    role_values(stored)
        .into_iter()
        .filter_map(|v| cfg.role_of_value(v))
        .collect()
}

/// 403 naming the setting when the user's `roles` ask for a role the IdP may not grant.
pub(crate) fn check_asked_roles(cfg: &RolesConfig, user: &ScimUser) -> Result<(), ScimError> {
    if !cfg.enabled {
        return Ok(());
    }
    match asked_roles(cfg, &user.stored)
        .into_iter()
        .find(|r| !cfg.allows(*r))
    {
        None => Ok(()),
        Some(r) => Err(ScimError::forbidden(format!(
            "roles asks for the Dropbox role `{r}`, which the IdP may not grant: the setting \
             roles.allowed does not list it{}",
            if r == AdminRole::TeamAdmin {
                " (team_admin is granted only when roles.allowed names it)"
            } else {
                ""
            }
        ))),
    }
}

impl Bridge {
    pub(super) fn roles_config(&self) -> &RolesConfig {
        &self.settings().roles
    }

    /// 403 before any Dropbox call when the user asks for a role outside `roles.allowed`.
    pub(crate) fn check_admin_roles(&self, user: &ScimUser) -> Result<(), ScimError> {
        check_asked_roles(self.roles_config(), user)
    }

    /// The team's roles, asked of Dropbox once per process (a failed ask is asked again next time).
    async fn role_ids(&self) -> Result<&RoleIds, BridgeError> {
        self.inner
            .role_ids
            .get_or_try_init(|| async {
                let res = self
                    .dropbox()
                    .members_get_available_team_member_roles()
                    .await;
                let roles = res.map_err(from_dropbox)?.roles;
                Ok::<_, BridgeError>(RoleIds {
                    roles: roles
                        .into_iter()
                        .filter_map(|t| AdminRole::parse(&t.name).map(|r| (r, t)))
                        .collect(),
                })
            })
            .await
    }

    /// The Dropbox role of `role` (none for `member_only`); 500 when the team has no such role.
    async fn dropbox_role(&self, role: AdminRole) -> Result<Option<TeamMemberRole>, BridgeError> {
        if role == AdminRole::MemberOnly {
            return Ok(None);
        }
        let ids = self.role_ids().await?;
        RoleIds::of(role, &ids.roles)
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                BridgeError::Internal(format!("Dropbox lists no role `{role}` for this team"))
            })
    }

    /// The role a user should hold: the highest of what its `roles` values ask and what its mapped
    /// groups give (`member_only` when deactivated).
    pub(super) async fn wanted_role(
        &self,
        stored: &StoredAttributes,
        group_ids: &[String],
        active: bool,
    ) -> Result<AdminRole, BridgeError> {
        let cfg = self.roles_config();
        if !active {
            return Ok(AdminRole::MemberOnly);
        }
        let mut wanted = asked_roles(cfg, stored);
        if !cfg.groups.is_empty() && !group_ids.is_empty() {
            let refs = self.group_refs(group_ids).await?;
            let named = refs.iter().filter_map(|g| g.display.as_deref());
            wanted.extend(named.filter_map(|name| cfg.role_of_group(name)));
        }
        Ok(wanted.into_iter().min().unwrap_or(AdminRole::MemberOnly))
    }

    /// The `role_ids` for inviting `desired` (`members/add_v2` sets the role with the invitation,
    /// so no extra call); `None` when roles are off or the user gets none.
    pub(crate) async fn invite_role_ids(
        &self,
        desired: &ScimUser,
    ) -> Result<Option<Vec<String>>, BridgeError> {
        if !self.roles_config().enabled || desired.active == Some(false) {
            return Ok(None);
        }
        let wanted = self.wanted_role(&desired.stored, &[], true).await?;
        let role = self.dropbox_role(wanted).await?;
        Ok(role.map(|r| vec![r.role_id]))
    }

    /// The roles of a member just created: an invitation holds the role it was invited with (a
    /// change from `member_only`, audited and logged like any other); a recovered member (never
    /// `invited`: Dropbox recovers no removed invitee) is read when needed.
    pub(crate) async fn invited_roles(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        role_ids: Option<&[String]>,
    ) -> Result<MemberRoles, BridgeError> {
        if !matches!(profile.status, TeamMemberStatus::Invited) {
            return Ok(None);
        }
        let Some(ids) = role_ids else {
            return Ok(Some(Vec::new()));
        };
        let known = self.role_ids().await?;
        let roles: Vec<TeamMemberRole> = known
            .roles
            .iter()
            .filter(|(_, t)| ids.contains(&t.role_id))
            .map(|(_, t)| t.clone())
            .collect();
        let granted = held_role(&roles);
        if granted != AdminRole::MemberOnly {
            self.note_role_change(ctx, scim_id, AdminRole::MemberOnly, granted)
                .await;
        }
        Ok(Some(roles))
    }

    /// Brings a found member's role to what `desired` asks (see [`Bridge::sync_member_role`]).
    pub(crate) async fn sync_admin_role(
        &self,
        ctx: &WriteContext,
        found: Found,
        desired: &ScimUser,
    ) -> Result<Found, BridgeError> {
        match found {
            Found::Member {
                scim_id,
                profile,
                roles,
            } => {
                let roles = self
                    .sync_member_role(ctx, &scim_id, &profile, roles, desired)
                    .await?;
                Ok(Found::Member {
                    scim_id,
                    profile,
                    roles,
                })
            }
            other => Ok(other),
        }
    }

    /// Brings a member's role to what `desired` asks, when the member can hold one now (not
    /// suspended); `active: false` asks for `member_only`. Idempotent: once the role is right it
    /// makes no call. Returns the member's roles afterwards.
    pub(crate) async fn sync_member_role(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        roles: MemberRoles,
        desired: &ScimUser,
    ) -> Result<MemberRoles, BridgeError> {
        if !self.roles_config().enabled || !can_hold_role(profile) {
            return Ok(roles);
        }
        let active = desired.active != Some(false);
        let wanted = self
            .wanted_role(&desired.stored, &profile.groups, active)
            .await?;
        self.settle_role(ctx, scim_id, profile, roles, wanted).await
    }

    /// Takes a member the IdP deletes back to `member_only` before it is suspended or removed.
    pub(crate) async fn demote_for_delete(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        roles: MemberRoles,
    ) -> Result<(), BridgeError> {
        if self.roles_config().enabled && can_hold_role(profile) {
            self.settle_role(ctx, scim_id, profile, roles, AdminRole::MemberOnly)
                .await?;
        }
        Ok(())
    }

    /// Sets `wanted` when it differs from the held role (read first when unknown) and the bridge
    /// may change the held one. Returns the member's roles afterwards.
    pub(crate) async fn settle_role(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        profile: &TeamMemberProfile,
        roles: MemberRoles,
        wanted: AdminRole,
    ) -> Result<MemberRoles, BridgeError> {
        let roles = match roles {
            Some(r) => r,
            None => self.read_roles(&profile.team_member_id).await?,
        };
        let held = held_role(&roles);
        if held == wanted {
            return Ok(Some(roles));
        }
        if !self.roles_config().allows(held) {
            tracing::info!(scim.id = %scim_id, role.held = %held, role.wanted = %wanted,
                "admin role left as it is: roles.allowed does not list the role the member holds");
            return Ok(Some(roles));
        }
        self.set_role(ctx, scim_id, &profile.team_member_id, held, wanted)
            .await
            .map(Some)
    }

    /// The member's roles, read live (for a member found without them).
    async fn read_roles(&self, team_member_id: &str) -> Result<Vec<TeamMemberRole>, BridgeError> {
        let sel = UserSelectorArg::TeamMemberId(team_member_id.to_owned());
        Ok(self
            .member_info_with_roles(sel)
            .await?
            .and_then(|(_, roles)| roles)
            .unwrap_or_default())
    }

    /// One `members/set_admin_permissions_v2`, audited and logged. A lost reply is re-sent by the
    /// client (same end state); `last_admin` is a 409 and is never retried.
    async fn set_role(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        team_member_id: &str,
        held: AdminRole,
        wanted: AdminRole,
    ) -> Result<Vec<TeamMemberRole>, BridgeError> {
        let new_roles: Vec<String> = self
            .dropbox_role(wanted)
            .await?
            .into_iter()
            .map(|r| r.role_id)
            .collect();
        let arg = MembersSetPermissions2Arg::new(UserSelectorArg::TeamMemberId(
            team_member_id.to_owned(),
        ))
        .with_new_roles(new_roles);
        let res = self
            .dropbox_for(ctx)
            .members_set_admin_permissions_v2(&arg)
            .await;
        let roles = match res {
            Ok(r) => r.roles.unwrap_or_default(),
            Err(e) if e.has_tag("last_admin") => {
                return Err(ScimError::new(
                    409,
                    None,
                    format!(
                        "Dropbox refuses to take `{held}` from the team's last team admin: make \
                         another member team admin first, then repeat this request"
                    ),
                )
                .into());
            }
            Err(e) if e.has_tag("cannot_set_permissions") => {
                return Err(ScimError::new(
                    409,
                    None,
                    "Dropbox cannot change the admin role of this member now (a suspended member \
                     keeps its role): reactivate it first",
                )
                .into());
            }
            Err(e) => return Err(from_dropbox(e)),
        };
        self.note_role_change(ctx, scim_id, held, wanted).await;
        Ok(roles)
    }

    /// The audit record (resource type `AdminRole`, the client, both roles) and INFO line of a change.
    async fn note_role_change(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        before: AdminRole,
        after: AdminRole,
    ) {
        let detail = format!("admin role {before} -> {after}");
        tracing::info!(scim.id = %scim_id, client = %ctx.client, role.before = %before,
            role.after = %after, "admin role changed");
        self.audit(ctx, "AdminRole", Some(scim_id), 200, Some(detail))
            .await;
    }
}

/// Dropbox changes roles of invited and active members only (a suspended one answers
/// `cannot_set_permissions`, a removed one has none).
pub(super) fn can_hold_role(profile: &TeamMemberProfile) -> bool {
    matches!(
        profile.status,
        TeamMemberStatus::Active | TeamMemberStatus::Invited
    )
}

#[cfg(test)]
#[path = "admin_role_tests.rs"]
mod tests;

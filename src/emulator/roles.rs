//! The Dropbox-defined team member roles (ids, names, descriptions from the spec's examples) and
//! members/get_available_team_member_roles.

use dropbox_sdk::types::team::{MembersGetAvailableTeamMemberRolesResult, TeamMemberRole};
use serde_json::Value;

use super::state::{Model, Role};
use super::view::to_json;
use super::wire::ApiError;

/// One Dropbox-defined role: tier, `role_id`, display name, description.
struct RoleDef {
    role: Role,
    id: &'static str,
    name: &'static str,
    description: &'static str,
}

/// The roles in the order of the spec's `MembersGetAvailableTeamMemberRolesResult` example.
/// team.stone `TeamMemberRole` says the ids of Dropbox-defined roles are the same on every team,
/// so the examples' ids are used as they are.
const ROLES: [RoleDef; 4] = [
    RoleDef {
        role: Role::TeamAdmin,
        id: "pid_dbtmr:2345",
        name: "Team admin",
        description: "User can do most user provisioning, de-provisioning and management.",
    },
    RoleDef {
        role: Role::BillingAdmin,
        id: "pid_dbtmr:5678",
        name: "Billing admin",
        description: "Make payments and renew contracts.",
    },
    RoleDef {
        role: Role::UserManagementAdmin,
        id: "pid_dbtmr:3456",
        name: "User management admin",
        description: "Add, remove, and manage member accounts.",
    },
    RoleDef {
        role: Role::SupportAdmin,
        id: "pid_dbtmr:4567",
        name: "Support admin",
        description: "Help members with limited tasks, including password reset.",
    },
];

fn to_sdk(d: &RoleDef) -> TeamMemberRole {
    TeamMemberRole::new(d.id.into(), d.name.into(), d.description.into())
}

/// Parses a v2 role id; `None` for an id no role of the team has.
pub(crate) fn role_from_id(id: &str) -> Option<Role> {
    ROLES.iter().find(|d| d.id == id).map(|d| d.role)
}

/// The `TeamMemberRole` list of a member (empty for member-only).
pub(crate) fn roles(role: Role) -> Vec<TeamMemberRole> {
    ROLES
        .iter()
        .filter(|d| d.role == role)
        .map(to_sdk)
        .collect()
}

/// members/get_available_team_member_roles: every Dropbox-defined role.
pub(crate) fn get_available(_model: &mut Model, _body: &Value) -> Result<Value, ApiError> {
    let all = ROLES.iter().map(to_sdk).collect();
    Ok(to_json(&MembersGetAvailableTeamMemberRolesResult::new(all)))
}

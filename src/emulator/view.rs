//! Conversion of model records into the SDK's response types, so the wire encoding is the SDK's.

use dropbox_sdk::types::secondary_emails::SecondaryEmail;
use dropbox_sdk::types::team::{
    GroupAccessType, GroupFullInfo, GroupMemberInfo, MemberProfile, RemovedStatus,
    TeamMemberInfoV2, TeamMemberProfile, TeamMemberStatus, TeamMembershipType,
};
use dropbox_sdk::types::team_common::{GroupManagementType, GroupSummary};
use dropbox_sdk::types::users::Name;
use serde_json::Value;

pub(crate) use super::roles::{role_from_id, roles};
use super::state::{Access, Group, Member, Mgmt, Model, Status, stamp};

/// Serializes any SDK value to JSON (the SDK types always serialize).
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn name(m: &Member) -> Name {
    let display = [m.given_name.as_str(), m.surname.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let abbrev: String = [&m.given_name, &m.surname]
        .iter()
        .filter_map(|s| s.chars().next())
        .collect();
    Name::new(
        m.given_name.clone(),
        m.surname.clone(),
        m.given_name.clone(),
        display,
        abbrev.to_uppercase(),
    )
}

fn status(m: &Member) -> TeamMemberStatus {
    match m.status {
        Status::Active => TeamMemberStatus::Active,
        Status::Invited => TeamMemberStatus::Invited,
        Status::Suspended => TeamMemberStatus::Suspended,
        Status::Removed { disconnected, .. } => {
            TeamMemberStatus::Removed(RemovedStatus::new(m.is_recoverable_now(), disconnected))
        }
    }
}

impl Member {
    /// Whether the removed status reports `is_recoverable` (the 7-day window is checked by recover).
    fn is_recoverable_now(&self) -> bool {
        matches!(
            self.status,
            Status::Removed {
                recoverable: true,
                ..
            }
        )
    }
}

/// The member's `secondary_emails`, omitted (like the optional field) when there are none.
fn secondary_emails(m: &Member) -> Option<Vec<SecondaryEmail>> {
    (!m.secondary_emails.is_empty()).then(|| {
        m.secondary_emails
            .iter()
            .map(|s| SecondaryEmail::new(s.email.clone(), s.verified))
            .collect()
    })
}

/// The `TeamMemberProfile` of a member.
pub(crate) fn profile(model: &Model, m: &Member) -> TeamMemberProfile {
    let mut p = TeamMemberProfile::new(
        m.id.clone(),
        m.email.clone(),
        m.email_verified,
        status(m),
        name(m),
        TeamMembershipType::Full,
        model.groups_of_member(m),
        m.member_folder_id.clone(),
        m.root_folder_id.clone(),
    )
    .with_account_id(m.account_id.clone());
    if let Some(list) = secondary_emails(m) {
        p = p.with_secondary_emails(list);
    }
    if let Some(x) = &m.external_id {
        p = p.with_external_id(x.clone());
    }
    if let Some(x) = &m.persistent_id {
        p = p.with_persistent_id(x.clone());
    }
    if let Some(x) = m.is_directory_restricted {
        p = p.with_is_directory_restricted(x);
    }
    if let Some(t) = m.invited_on {
        p = p.with_invited_on(stamp(t));
    }
    if let Some(t) = m.joined_on {
        p = p.with_joined_on(stamp(t));
    }
    if let Some(t) = m.suspended_on {
        p = p.with_suspended_on(stamp(t));
    }
    p
}

/// The `MemberProfile` (no groups or folder ids) used in group member lists.
pub(crate) fn member_profile(m: &Member) -> MemberProfile {
    let mut p = MemberProfile::new(
        m.id.clone(),
        m.email.clone(),
        m.email_verified,
        status(m),
        name(m),
        TeamMembershipType::Full,
    )
    .with_account_id(m.account_id.clone());
    if let Some(list) = secondary_emails(m) {
        p = p.with_secondary_emails(list);
    }
    if let Some(x) = &m.external_id {
        p = p.with_external_id(x.clone());
    }
    if let Some(t) = m.joined_on {
        p = p.with_joined_on(stamp(t));
    }
    if let Some(t) = m.invited_on {
        p = p.with_invited_on(stamp(t));
    }
    p
}

/// `TeamMemberInfoV2` of a member.
pub(crate) fn info_v2(model: &Model, m: &Member) -> TeamMemberInfoV2 {
    TeamMemberInfoV2::new(profile(model, m)).with_roles(roles(m.role))
}

fn mgmt(g: &Group) -> GroupManagementType {
    match g.mgmt {
        Mgmt::User => GroupManagementType::UserManaged,
        Mgmt::Company => GroupManagementType::CompanyManaged,
        Mgmt::System => GroupManagementType::SystemManaged,
    }
}

/// `GroupSummary` of a group.
pub(crate) fn group_summary(model: &Model, g: &Group) -> GroupSummary {
    let count = u32::try_from(model.visible_group_members(g).len()).unwrap_or(u32::MAX);
    let mut s = GroupSummary::new(g.name.clone(), g.id.clone(), mgmt(g)).with_member_count(count);
    if let Some(x) = &g.external_id {
        s = s.with_group_external_id(x.clone());
    }
    s
}

/// `GroupMemberInfo` list of a group.
pub(crate) fn group_members(model: &Model, g: &Group) -> Vec<GroupMemberInfo> {
    model
        .visible_group_members(g)
        .iter()
        .filter_map(|(id, access)| {
            let m = model.member(id)?;
            let access = match access {
                Access::Owner => GroupAccessType::Owner,
                Access::Member => GroupAccessType::Member,
            };
            Some(GroupMemberInfo::new(member_profile(m), access))
        })
        .collect()
}

/// `GroupFullInfo`; members omitted for system groups and when not requested.
pub(crate) fn group_full(model: &Model, g: &Group, with_members: bool) -> GroupFullInfo {
    let count = u32::try_from(model.visible_group_members(g).len()).unwrap_or(u32::MAX);
    let mut f = GroupFullInfo::new(g.name.clone(), g.id.clone(), mgmt(g), g.created_ms)
        .with_member_count(count);
    if let Some(x) = &g.external_id {
        f = f.with_group_external_id(x.clone());
    }
    if with_members && g.mgmt != Mgmt::System {
        f = f.with_members(group_members(model, g));
    }
    f
}

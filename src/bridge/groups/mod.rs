//! SCIM Groups over Dropbox groups.
//!
//! The SCIM group id is the Dropbox `group_id`; a member's `value` is the Dropbox `team_member_id` and
//! its `display` the member's e-mail. Member changes are computed as set differences and sent in
//! batches, so that a 10,000-member group is never copied into a JSON document to be patched.
//!
//! Dropbox calls per request (n = members named in the request, m = members of the group):
//! * GET one group: `groups/get_info`, plus ceil(m/1000) `groups/members/list(+continue)` when members
//!   are shown.
//! * GET /Groups: ceil(groups/1000) `groups/list(+continue)`, plus one member listing per group shown
//!   with members (or per group of the team when the filter tests `members`).
//! * POST: ceil(n/1000) `members/get_info_v2`, `groups/create`, ceil(n/1000) `groups/members/add`.
//! * PATCH with adds/removes only: `groups/get_info`, ceil(n/1000) `members/get_info_v2`, at most one
//!   `groups/update`, ceil(adds/1000) adds and ceil(removes/1000) removes; then the member listing of
//!   the answer. A replace of the member list (or PUT) lists the group instead of looking members up.
//! * DELETE: `groups/get_info`, `groups/delete` (+ `groups/job_status/get` polls when asynchronous).

mod delete;
mod members;
mod patch;
mod plan;
mod read;
mod times;
mod write;

use std::collections::HashMap;

use chrono::DateTime;

use super::Bridge;
use super::audit::WriteContext;
use super::errors::{BridgeError, from_dropbox};
use crate::dropbox::team::{
    GroupFullInfo, GroupMemberInfo, GroupSelector, GroupsGetInfoItem, GroupsMembersListArg,
    GroupsMembersListContinueArg, GroupsSelector,
};
use crate::scim::error::ScimError;
use crate::scim::resource::{Member, Meta, ScimGroup};
use dropbox_sdk::types::team_common::{GroupManagementType, GroupSummary};

/// Members per `groups/members/add`, `groups/members/remove` and `members/get_info_v2` call. The API
/// documents no maximum for these routes; 1000 matches its page size and the emulator accepts it.
pub(super) const BATCH: usize = 1000;
/// Page size of `groups/list` and `groups/members/list` (the API's maximum).
const PAGE: u32 = 1000;

/// What the bridge needs of a Dropbox group besides its members.
#[derive(Debug, Clone)]
struct GroupHead {
    id: String,
    name: String,
    external_id: Option<String>,
    system: bool,
    created_ms: Option<u64>,
}

impl From<&GroupFullInfo> for GroupHead {
    fn from(g: &GroupFullInfo) -> Self {
        Self {
            id: g.group_id.clone(),
            name: g.group_name.clone(),
            external_id: g.group_external_id.clone().filter(|x| !x.is_empty()),
            system: matches!(g.group_management_type, GroupManagementType::SystemManaged),
            created_ms: Some(g.created),
        }
    }
}

impl From<&GroupSummary> for GroupHead {
    fn from(g: &GroupSummary) -> Self {
        Self {
            id: g.group_id.clone(),
            name: g.group_name.clone(),
            external_id: g.group_external_id.clone().filter(|x| !x.is_empty()),
            system: matches!(g.group_management_type, GroupManagementType::SystemManaged),
            created_ms: None,
        }
    }
}

impl GroupHead {
    fn to_scim(&self, members: Vec<Member>) -> ScimGroup {
        let created = self
            .created_ms
            .and_then(|ms| i64::try_from(ms).ok())
            .and_then(DateTime::from_timestamp_millis);
        ScimGroup {
            id: Some(self.id.clone()),
            external_id: self.external_id.clone(),
            display_name: self.name.clone(),
            members,
            meta: Meta {
                created,
                last_modified: None,
                version: None,
            },
        }
    }

    /// Refuses writes to groups Dropbox manages itself (Everyone).
    fn ensure_writable(&self) -> Result<(), BridgeError> {
        if self.system {
            return Err(ScimError::mutability(format!(
                "group {} ({}) is managed by Dropbox itself and cannot be changed",
                self.id, self.name
            ))
            .into());
        }
        Ok(())
    }
}

/// SCIM user ids that differ from the member's Dropbox id (kept across a re-invitation), both ways.
/// Member values are SCIM ids towards the IdP and `team_member_id`s towards Dropbox.
#[derive(Debug, Default)]
pub(super) struct IdMap {
    to_dropbox: HashMap<String, String>,
    to_scim: HashMap<String, String>,
}

impl IdMap {
    /// The Dropbox member id a SCIM user id stands for.
    fn dropbox(&self, scim_id: &str) -> String {
        self.to_dropbox
            .get(scim_id)
            .cloned()
            .unwrap_or_else(|| scim_id.to_owned())
    }

    /// The SCIM user id of a Dropbox member id.
    fn scim(&self, team_member_id: &str) -> String {
        self.to_scim
            .get(team_member_id)
            .cloned()
            .unwrap_or_else(|| team_member_id.to_owned())
    }

    /// Members listed from Dropbox, with the ids the IdP knows.
    fn render(&self, mut members: Vec<Member>) -> Vec<Member> {
        for m in &mut members {
            m.value = self.scim(&m.value);
        }
        members
    }
}

fn selector(id: &str) -> GroupSelector {
    GroupSelector::GroupId(id.to_owned())
}

/// Members are returned as `value`, `$ref` and `type`. `display` (read-only, optional in RFC 7643) is
/// left out: IdPs match members by `value`, and a client reading back what it wrote sees no change.
fn to_member(m: &GroupMemberInfo) -> Member {
    Member {
        value: m.profile.team_member_id.clone(),
        display: None,
        kind: Some("User".to_owned()),
    }
}

impl Bridge {
    /// The current SCIM id aliases (one store query).
    async fn id_map(&self) -> Result<IdMap, BridgeError> {
        let mut map = IdMap::default();
        for (scim_id, team_member_id) in self.store().list_aliases().await? {
            map.to_scim.insert(team_member_id.clone(), scim_id.clone());
            map.to_dropbox.insert(scim_id, team_member_id);
        }
        Ok(map)
    }

    /// One group's name, external id and management type (`groups/get_info`); 404 when unknown.
    async fn group_head(
        &self,
        ctx: Option<&WriteContext>,
        id: &str,
    ) -> Result<GroupHead, BridgeError> {
        // Dropbox group ids are `g:` + hex; anything else cannot exist and is not sent.
        if !id.starts_with("g:") || id.len() > 128 {
            return Err(BridgeError::not_found("Group", id));
        }
        let arg = GroupsSelector::GroupIds(vec![id.to_owned()]);
        let res = self.dropbox_for(ctx).groups_get_info(&arg).await;
        let items = res.map_err(|e| {
            if e.is_not_found() || e.has_tag("group_not_on_team") {
                BridgeError::not_found("Group", id)
            } else {
                from_dropbox(e)
            }
        })?;
        items
            .iter()
            .find_map(|item| match item {
                GroupsGetInfoItem::GroupInfo(g) if g.group_id == id => Some(GroupHead::from(g)),
                _ => None,
            })
            .ok_or_else(|| BridgeError::not_found("Group", id))
    }

    /// Every member of a group (`groups/members/list` + `continue`, 1000 per page), by Dropbox id.
    async fn group_members(
        &self,
        ctx: Option<&WriteContext>,
        id: &str,
    ) -> Result<Vec<Member>, BridgeError> {
        let not_found = |e: crate::dropbox::DropboxError<_>| {
            if e.is_not_found() {
                BridgeError::not_found("Group", id)
            } else {
                from_dropbox(e)
            }
        };
        let arg = GroupsMembersListArg::new(selector(id)).with_limit(PAGE);
        let res = self.dropbox_for(ctx).groups_members_list(&arg).await;
        let mut page = res.map_err(not_found)?;
        let mut out: Vec<Member> = page.members.iter().map(to_member).collect();
        while page.has_more {
            let arg = GroupsMembersListContinueArg::new(page.cursor.clone());
            let res = self
                .dropbox_for(ctx)
                .groups_members_list_continue(&arg)
                .await;
            page = res.map_err(from_dropbox)?;
            out.extend(page.members.iter().map(to_member));
        }
        // Memberships held for users deactivated while invited (not in Dropbox).
        for scim_id in self.store().held_members_of_group(id).await? {
            out.push(Member {
                value: scim_id,
                display: None,
                kind: Some("User".to_owned()),
            });
        }
        Ok(out)
    }

    /// Writes the audit record of a group write and passes its result on.
    async fn audited<T>(
        &self,
        ctx: &WriteContext,
        id: Option<&str>,
        result: Result<T, BridgeError>,
        ok_status: u16,
    ) -> Result<T, BridgeError> {
        let (status, detail) = match &result {
            Ok(_) => (ok_status, None),
            Err(BridgeError::Scim(e)) => (e.status, Some(e.detail.clone())),
            Err(e) => (
                e.status(),
                Some(e.log_cause().unwrap_or_else(|| e.to_string())),
            ),
        };
        self.audit(ctx, "Group", id, status, detail).await;
        result
    }
}

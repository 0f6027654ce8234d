//! SCIM Groups over Dropbox groups.
//!
//! The SCIM group id is the Dropbox `group_id`; a member's `value` is the Dropbox `team_member_id` and
//! its `display` the member's e-mail. Member changes are computed as set differences and sent in
//! batches, so that a 10,000-member group is never copied into a JSON document to be patched.

mod members;
mod patch;
mod plan;
mod read;
mod write;

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
                last_modified: created,
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

fn selector(id: &str) -> GroupSelector {
    GroupSelector::GroupId(id.to_owned())
}

fn to_member(m: &GroupMemberInfo) -> Member {
    Member {
        value: m.profile.team_member_id.clone(),
        display: Some(m.profile.email.clone()),
        kind: Some("User".to_owned()),
    }
}

/// Records a call when it is made on behalf of a write.
fn record<T, E: serde::Serialize>(
    ctx: Option<&WriteContext>,
    route: &str,
    result: &Result<T, crate::dropbox::DropboxError<E>>,
) {
    if let Some(ctx) = ctx {
        ctx.record(route, result);
    }
}

impl Bridge {
    /// One group's name, external id and management type (`groups/get_info`); 404 when unknown.
    async fn group_head(
        &self,
        ctx: Option<&WriteContext>,
        id: &str,
    ) -> Result<GroupHead, BridgeError> {
        if id.trim().is_empty() {
            return Err(BridgeError::not_found("Group", id));
        }
        let arg = GroupsSelector::GroupIds(vec![id.to_owned()]);
        let res = self.dropbox().groups_get_info(&arg).await;
        record(ctx, "groups/get_info", &res);
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

    /// Every member of a group (`groups/members/list` + `continue`, 1000 per page).
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
        let res = self.dropbox().groups_members_list(&arg).await;
        record(ctx, "groups/members/list", &res);
        let mut page = res.map_err(not_found)?;
        let mut out: Vec<Member> = page.members.iter().map(to_member).collect();
        while page.has_more {
            let arg = GroupsMembersListContinueArg::new(page.cursor.clone());
            let res = self.dropbox().groups_members_list_continue(&arg).await;
            record(ctx, "groups/members/list/continue", &res);
            page = res.map_err(from_dropbox)?;
            out.extend(page.members.iter().map(to_member));
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
            Err(e) => (e.status(), Some(format!("{e:?}"))),
        };
        self.audit(ctx, "Group", id, status, detail).await;
        result
    }
}

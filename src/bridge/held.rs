//! Held memberships: the group memberships of users deactivated while invited, kept by the bridge while
//! Dropbox cannot hold them (the invitation was withdrawn) and given back when the user is invited again.
//! Users hold and give back; groups read and change them (through the store).

use super::errors::from_dropbox;
use super::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    GroupAccessType, GroupMembersAddArg, GroupSelector, GroupsGetInfoItem, GroupsSelector,
    MemberAccess, UserSelectorArg,
};
use dropbox_sdk::types::team_common::GroupManagementType;

impl Bridge {
    /// Keeps the company and user-managed groups among `group_ids` as held memberships of `scim_id`
    /// (system-managed groups such as Everyone follow team membership by themselves).
    pub(crate) async fn hold_memberships(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        group_ids: &[String],
    ) -> Result<(), BridgeError> {
        if group_ids.is_empty() {
            return Ok(());
        }
        let arg = GroupsSelector::GroupIds(group_ids.to_vec());
        let res = self.dropbox_for(ctx).groups_get_info(&arg).await;
        for item in res.map_err(from_dropbox)? {
            if let GroupsGetInfoItem::GroupInfo(g) = item {
                if !matches!(g.group_management_type, GroupManagementType::SystemManaged) {
                    self.store()
                        .add_held_membership(&g.group_id, scim_id)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Adds a member invited again to the groups held for them, then forgets the held memberships.
    /// A group deleted meanwhile is skipped.
    pub(crate) async fn give_back_held_memberships(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        team_member_id: &str,
    ) -> Result<(), BridgeError> {
        for gid in self.store().held_groups_of_user(scim_id).await? {
            let member = MemberAccess::new(
                UserSelectorArg::TeamMemberId(team_member_id.to_owned()),
                GroupAccessType::Member,
            );
            let arg = GroupMembersAddArg::new(GroupSelector::GroupId(gid), vec![member])
                .with_return_members(false);
            let res = self.dropbox_for(ctx).groups_members_add(&arg).await;
            if let Err(e) = res {
                if !(e.has_tag("duplicate_user") || e.is_not_found()) {
                    return Err(from_dropbox(e));
                }
            }
        }
        self.store().clear_held_memberships_of_user(scim_id).await?;
        Ok(())
    }
}

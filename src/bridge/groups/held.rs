//! Group memberships of users deactivated while invited: held by the bridge while Dropbox cannot hold
//! them (the invitation was withdrawn), and given back to Dropbox when the user is invited again.

use super::{GroupHead, selector};
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    GroupAccessType, GroupMembersAddArg, GroupsGetInfoItem, GroupsSelector, MemberAccess,
    UserSelectorArg,
};

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
        let res = self.dropbox().groups_get_info(&arg).await;
        ctx.record("groups/get_info", &res);
        for item in res.map_err(from_dropbox)? {
            if let GroupsGetInfoItem::GroupInfo(g) = item {
                if !GroupHead::from(&g).system {
                    self.store()
                        .add_pending_membership(&g.group_id, scim_id)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Adds a member invited again to the groups held for them, then forgets the held memberships.
    /// A group deleted meanwhile is skipped.
    pub(crate) async fn restore_memberships(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        team_member_id: &str,
    ) -> Result<(), BridgeError> {
        for gid in self.store().pending_groups_of(scim_id).await? {
            let member = MemberAccess::new(
                UserSelectorArg::TeamMemberId(team_member_id.to_owned()),
                GroupAccessType::Member,
            );
            let arg =
                GroupMembersAddArg::new(selector(&gid), vec![member]).with_return_members(false);
            let res = self.dropbox().groups_members_add(&arg).await;
            ctx.record("groups/members/add", &res);
            if let Err(e) = res {
                if !(e.has_tag("duplicate_user") || e.is_not_found()) {
                    return Err(from_dropbox(e));
                }
            }
        }
        self.store()
            .clear_pending_memberships_of_user(scim_id)
            .await?;
        Ok(())
    }
}

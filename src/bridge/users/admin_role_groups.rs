//! Admin roles given by group membership: after a SCIM group write adds or removes members of a
//! group named in `[roles.groups]`, those members' roles are recomputed (one batched
//! `members/get_info_v2`, then one `members/set_admin_permissions_v2` per member whose role changes).

use std::collections::BTreeSet;

use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{MembersGetInfoItemV2, MembersGetInfoV2Arg, UserSelectorArg};

/// Members per `members/get_info_v2` call.
const INFO_BATCH: usize = 100;

impl Bridge {
    /// Whether membership of the group `group_name` gives an admin role (`[roles.groups]`).
    pub(crate) fn group_gives_role(&self, group_name: &str) -> bool {
        let cfg = self.roles_config();
        cfg.enabled && cfg.role_of_group(group_name).is_some()
    }

    /// Recomputes the roles of the members `added` to or `removed` from the group `group_name`
    /// (Dropbox member ids), when that group gives a role; nothing otherwise.
    pub(crate) async fn roles_after_group_change(
        &self,
        ctx: &WriteContext,
        group_name: &str,
        added: &BTreeSet<String>,
        removed: &BTreeSet<String>,
    ) -> Result<(), BridgeError> {
        if !self.group_gives_role(group_name) {
            return Ok(());
        }
        // Users deactivated while invited are not in Dropbox: their role follows on reactivation.
        let ids: Vec<String> = added
            .union(removed)
            .filter(|id| id.starts_with("dbmid:"))
            .cloned()
            .collect();
        for chunk in ids.chunks(INFO_BATCH) {
            let arg = MembersGetInfoV2Arg::new(
                chunk
                    .iter()
                    .map(|id| UserSelectorArg::TeamMemberId(id.clone()))
                    .collect(),
            );
            let res = self.dropbox_for(ctx).members_get_info_v2(&arg).await;
            for item in res.map_err(from_dropbox)?.members_info {
                let MembersGetInfoItemV2::MemberInfo(info) = item else {
                    continue;
                };
                let scim_id = self.scim_id_of(&info.profile.team_member_id).await?;
                let extras = self.store().get_extras(&scim_id).await?;
                let stored = extras.map(|x| x.stored).unwrap_or_default();
                let wanted = self
                    .wanted_role(&stored, &info.profile.groups, true)
                    .await?;
                if super::admin_role::can_hold_role(&info.profile) {
                    self.settle_role(ctx, &scim_id, &info.profile, info.roles, wanted)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

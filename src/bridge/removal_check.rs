//! Foreseeing at DELETE time that a deferred removal will be blocked, so that the operator hears
//! of it when the IdP deletes the user rather than when the grace period ends.

use super::removal::choose_transfer;
use super::{Bridge, WriteContext};
use crate::config::{DeprovisionConfig, TransferTo};
use crate::dropbox::team::{
    MembersGetInfoItemV2, MembersGetInfoV2Arg, TeamMemberStatus, UserSelectorArg,
};

impl Bridge {
    /// Why a removal of this user under `policy` will be blocked when it runs, if that is known
    /// now: a transfer to the manager when the user has no active manager (other than itself) and
    /// `deprovision.transfer_dest` (the fallback) is not set. Dropbox is asked only when a manager
    /// is named and there is no fallback; a failed look-up foresees nothing (the removal decides).
    pub(crate) async fn foreseen_block(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        team_member_id: &str,
        policy: &DeprovisionConfig,
    ) -> Option<String> {
        if policy.transfer_to != TransferTo::Manager {
            return None;
        }
        let blocked = choose_transfer(policy, None).err()?;
        let manager = match self.manager_member_id(scim_id).await {
            Ok(m) => m.filter(|m| m != team_member_id),
            Err(e) => {
                tracing::warn!(scim.id = %scim_id, error = %e, "could not read the user's manager");
                return None;
            }
        };
        let Some(manager) = manager else {
            return Some(blocked);
        };
        let arg = MembersGetInfoV2Arg::new(vec![UserSelectorArg::TeamMemberId(manager)]);
        let info = self.dropbox_for(ctx).members_get_info_v2(&arg).await.ok()?;
        let active = matches!(
            info.members_info.first(),
            Some(MembersGetInfoItemV2::MemberInfo(m))
                if matches!(m.profile.status, TeamMemberStatus::Active)
        );
        (!active).then_some(blocked)
    }
}

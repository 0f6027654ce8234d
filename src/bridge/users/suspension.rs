//! Suspending and unsuspending a member who joined (`active` false/true), tolerant of a retry whose
//! first attempt already went through.

use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::dropbox::team::{
    MembersDeactivateArg, MembersUnsuspendArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};

impl Bridge {
    /// `members/suspend` (wiping data as configured); an already suspended member counts as done.
    /// Sets the profile's status; the caller updates the mirror.
    pub(crate) async fn suspend(
        &self,
        ctx: &WriteContext,
        profile: &mut TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        let arg = MembersDeactivateArg::new(member(profile))
            .with_wipe_data(self.settings().suspend_wipe_data);
        let result = self.dropbox_for(ctx).members_suspend(&arg).await;
        // A retried suspend whose first attempt went through answers suspend_inactive_user.
        if let Err(e) = result {
            if !e.has_tag("suspend_inactive_user") {
                return Err(from_dropbox(e));
            }
        }
        profile.status = TeamMemberStatus::Suspended;
        Ok(())
    }

    /// `members/unsuspend`; a member who is not suspended counts as done.
    /// Sets the profile's status; the caller updates the mirror.
    pub(crate) async fn unsuspend(
        &self,
        ctx: &WriteContext,
        profile: &mut TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        let arg = MembersUnsuspendArg::new(member(profile));
        let result = self.dropbox_for(ctx).members_unsuspend(&arg).await;
        if let Err(e) = result {
            if !e.has_tag("unsuspend_non_suspended_member") {
                return Err(from_dropbox(e));
            }
        }
        profile.status = TeamMemberStatus::Active;
        Ok(())
    }
}

fn member(profile: &TeamMemberProfile) -> UserSelectorArg {
    UserSelectorArg::TeamMemberId(profile.team_member_id.clone())
}

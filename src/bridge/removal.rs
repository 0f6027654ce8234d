//! TEMPORARY (replaced by the jobs branch): immediate removal under a policy.

use super::errors::from_dropbox;
use super::{Bridge, BridgeError, WriteContext};
use crate::config::DeprovisionConfig;
use crate::dropbox::team::{MembersRemoveArg, UserSelectorArg};

/// What a removal attempt did.
#[derive(Debug)]
pub enum RemovalOutcome {
    /// Dropbox removed the member.
    Complete,
    /// Not removed: no transfer destination.
    Blocked(String),
}

impl Bridge {
    /// Removes a member now under `policy`.
    pub async fn remove_member_now(
        &self,
        ctx: Option<&WriteContext>,
        _scim_id: &str,
        team_member_id: &str,
        policy: &DeprovisionConfig,
    ) -> Result<RemovalOutcome, BridgeError> {
        let mut arg =
            MembersRemoveArg::new(UserSelectorArg::TeamMemberId(team_member_id.to_owned()));
        arg.wipe_data = policy.wipe_data;
        arg.keep_account = policy.keep_account;
        arg.retain_team_shares = policy.retain_team_shares;
        let result = self.dropbox().remove_member_wait(&arg).await;
        if let Some(ctx) = ctx {
            ctx.record("members/remove", &result);
        }
        result.map_err(from_dropbox)?;
        Ok(RemovalOutcome::Complete)
    }
}

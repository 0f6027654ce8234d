//! `DELETE /Users/{id}` under the configured deprovisioning policy: suspend only, remove now, or
//! suspend now and remove after a grace period (a durable job in the store).

use super::lookup::Found;
use crate::bridge::errors::from_dropbox;
use crate::bridge::removal::RemovalOutcome;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::config::DeprovisionPolicy;
use crate::dropbox::team::{
    MembersDeactivateArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::store::DeletedUser;

impl Bridge {
    /// Deletes a user for the IdP: afterwards `GET` answers 404 whatever the policy did in Dropbox.
    pub async fn delete_user(&self, ctx: &WriteContext, id: &str) -> Result<(), BridgeError> {
        let _turn = self.inner.locks.lock(&format!("user:{id}")).await;
        let result = self.delete_locked(ctx, id).await;
        let status = match &result {
            Ok(()) => 204,
            Err(e) => e.status(),
        };
        self.audit(ctx, "User", Some(id), status, None).await;
        result
    }

    async fn delete_locked(&self, ctx: &WriteContext, id: &str) -> Result<(), BridgeError> {
        let Some(found) = self.find_by_id(id, false).await? else {
            return Err(BridgeError::not_found("User", id));
        };
        let (scim_id, profile) = match found {
            Found::Invite(inv) => {
                // The invitation was already withdrawn: only the bridge's record is left.
                let store = self.store();
                store.delete_inactive_invite(&inv.scim_id).await?;
                store.delete_extras(&inv.scim_id).await?;
                store.delete_alias(&inv.scim_id).await?;
                store
                    .clear_pending_memberships_of_user(&inv.scim_id)
                    .await?;
                return Ok(());
            }
            Found::Member { scim_id, profile } => (scim_id, *profile),
        };
        if matches!(profile.status, TeamMemberStatus::Invited) {
            // Nothing to keep or transfer for someone who never joined: withdraw the invitation.
            self.withdraw_invitation(ctx, scim_id.clone(), profile)
                .await?;
            let store = self.store();
            store.delete_inactive_invite(&scim_id).await?;
            store.delete_extras(&scim_id).await?;
            store.delete_alias(&scim_id).await?;
            store.clear_pending_memberships_of_user(&scim_id).await?;
            return Ok(());
        }
        let policy = self.settings().deprovision.clone();
        match policy.policy {
            DeprovisionPolicy::Suspend => {
                self.suspend_for_delete(ctx, &profile).await?;
                self.tombstone(&scim_id, &profile).await
            }
            DeprovisionPolicy::SuspendThenRemove => {
                self.suspend_for_delete(ctx, &profile).await?;
                self.tombstone(&scim_id, &profile).await?;
                let grace = chrono::Duration::seconds(
                    i64::try_from(policy.grace_period_secs).unwrap_or(i64::MAX / 1000),
                );
                self.schedule(&scim_id, &profile, grace).await
            }
            DeprovisionPolicy::Remove => {
                let outcome = self
                    .remove_member_now(Some(ctx), &scim_id, &profile.team_member_id, &policy)
                    .await?;
                if let RemovalOutcome::Blocked(reason) = outcome {
                    // No transfer destination: never remove silently without one. The member is
                    // suspended (access ends now) and the removal waits, visible in `pending`.
                    tracing::warn!(scim.id = %scim_id, reason = %reason, "removal blocked; member suspended instead");
                    self.suspend_for_delete(ctx, &profile).await?;
                    self.tombstone(&scim_id, &profile).await?;
                    return self
                        .schedule(&scim_id, &profile, chrono::Duration::zero())
                        .await;
                }
                self.store().mirror_delete(&profile.team_member_id).await?;
                Ok(())
            }
        }
    }

    async fn suspend_for_delete(
        &self,
        ctx: &WriteContext,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        if !matches!(profile.status, TeamMemberStatus::Active) {
            return Ok(());
        }
        let arg = MembersDeactivateArg::new(UserSelectorArg::TeamMemberId(
            profile.team_member_id.clone(),
        ))
        .with_wipe_data(self.settings().suspend_wipe_data);
        let result = self.dropbox().members_suspend(&arg).await;
        ctx.record("members/suspend", &result);
        if let Err(e) = result {
            if !e.has_tag("suspend_inactive_user") {
                return Err(from_dropbox(e));
            }
        }
        let mut p = profile.clone();
        p.status = TeamMemberStatus::Suspended;
        self.mirror_member(&p).await
    }

    async fn tombstone(
        &self,
        scim_id: &str,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        let tomb = DeletedUser {
            scim_id: scim_id.to_owned(),
            team_member_id: profile.team_member_id.clone(),
            email_lower: profile.email.to_lowercase(),
            deleted_at: chrono::Utc::now(),
        };
        self.store().put_deleted_user(&tomb).await?;
        Ok(())
    }

    async fn schedule(
        &self,
        scim_id: &str,
        profile: &TeamMemberProfile,
        after: chrono::Duration,
    ) -> Result<(), BridgeError> {
        let now = chrono::Utc::now();
        let policy = serde_json::to_string(&self.settings().deprovision)
            .map_err(|e| BridgeError::Internal(format!("policy not serialisable: {e}")))?;
        self.store()
            .schedule_removal(scim_id, &profile.team_member_id, now + after, &policy, now)
            .await?;
        Ok(())
    }
}

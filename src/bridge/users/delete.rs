//! `DELETE /Users/{id}` under the configured deprovisioning policy: suspend only, remove now, or
//! suspend now and remove after a grace period (a durable job in the store); and undoing a DELETE
//! that has not removed the member yet.

use super::lookup::Found;
use crate::bridge::removal::RemovalOutcome;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::config::DeprovisionPolicy;
use crate::dropbox::team::{TeamMemberProfile, TeamMemberStatus};
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
            // The invitation was already withdrawn: only the bridge's record is left.
            Found::Invite(inv) => return Ok(self.store().forget_user(&inv.scim_id, None).await?),
            Found::Member { scim_id, profile } => (scim_id, *profile),
        };
        if matches!(profile.status, TeamMemberStatus::Invited) {
            // Nothing to keep or transfer for someone who never joined: withdraw the invitation.
            self.withdraw_invitation(ctx, &profile).await?;
            let member = Some(profile.team_member_id.as_str());
            return Ok(self.store().forget_user(&scim_id, member).await?);
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
                    .remove_member(Some(ctx), &scim_id, &profile.team_member_id, &policy)
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

    /// Suspends an active member being deleted (access ends now).
    async fn suspend_for_delete(
        &self,
        ctx: &WriteContext,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        if !matches!(profile.status, TeamMemberStatus::Active) {
            return Ok(());
        }
        let mut p = profile.clone();
        self.suspend(ctx, &mut p).await?;
        self.mirror_member(&p).await
    }

    /// Undoes a DELETE that has not removed the member yet: cancels the deferred removal,
    /// drops the tombstone and unsuspends.
    pub(crate) async fn restore(
        &self,
        ctx: &WriteContext,
        scim_id: &str,
        found: Found,
    ) -> Result<Found, BridgeError> {
        let now = chrono::Utc::now();
        self.store().cancel_removal(scim_id, now).await?;
        self.store().delete_deleted_user(scim_id).await?;
        match found {
            Found::Member { mut profile, .. }
                if matches!(profile.status, TeamMemberStatus::Suspended) =>
            {
                self.unsuspend(ctx, &mut profile).await?;
                self.mirror_member(&profile).await?;
                Ok(Found::Member {
                    scim_id: scim_id.to_owned(),
                    profile,
                })
            }
            other => Ok(other),
        }
    }

    /// Remembers that the IdP deleted this user, so that it answers 404 while the member lingers.
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

    /// Schedules the member's removal (a durable job) `after` from now, under the current policy.
    async fn schedule(
        &self,
        scim_id: &str,
        profile: &TeamMemberProfile,
        after: chrono::Duration,
    ) -> Result<(), BridgeError> {
        let now = chrono::Utc::now();
        let policy = serde_json::to_string(&self.settings().deprovision).map_err(|source| {
            BridgeError::Json {
                what: "policy not serialisable",
                source,
            }
        })?;
        self.store()
            .schedule_removal(scim_id, &profile.team_member_id, now + after, &policy, now)
            .await?;
        Ok(())
    }
}

//! `DELETE /Users/{id}` under the configured deprovisioning policy: suspend only, remove now, or
//! suspend now and remove after a grace period (a durable job in the store); and undoing a DELETE
//! that has not removed the member yet. A removal that cannot go ahead without an operator (no
//! transfer destination, a `[deprovision]` setting Dropbox refuses) is recorded as blocked at once,
//! with a warning in the log and the audit entry; the DELETE still answers 204 (access has ended).

use super::lookup::Found;
use crate::bridge::removal::RemovalOutcome;
use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::config::DeprovisionPolicy;
use crate::dropbox::team::{TeamMemberProfile, TeamMemberStatus};
use crate::scim::etag::{EntityTags, precondition_failed};
use crate::store::DeletedUser;

impl Bridge {
    /// Deletes a user for the IdP: afterwards `GET` answers 404 whatever the policy did in Dropbox.
    pub async fn delete_user(&self, ctx: &WriteContext, id: &str) -> Result<(), BridgeError> {
        self.delete_user_if(ctx, id, None).await
    }

    /// `DELETE /Users/{id}` with `If-Match`: 412 unless the user's current version is one of `if_match`.
    pub async fn delete_user_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        if_match: Option<EntityTags>,
    ) -> Result<(), BridgeError> {
        let _turn = self.inner.locks.lock(&format!("user:{id}")).await;
        let result = self.delete_locked(ctx, id, if_match).await;
        let (status, detail) = match &result {
            Ok(blocked) => (
                204,
                blocked.as_ref().map(|r| format!("removal blocked: {r}")),
            ),
            Err(e) => (e.status(), None),
        };
        self.audit(ctx, "User", Some(id), status, detail).await;
        result.map(drop)
    }

    /// Deletes; `Ok(Some(reason))` when the removal was recorded as blocked.
    async fn delete_locked(
        &self,
        ctx: &WriteContext,
        id: &str,
        if_match: Option<EntityTags>,
    ) -> Result<Option<String>, BridgeError> {
        let Some(found) = self.find_by_id(id, false).await? else {
            return Err(BridgeError::not_found("User", id));
        };
        if let Some(tags) = &if_match {
            let shown = self.render(&found, true).await?.version();
            if !tags.matches(&shown) {
                return Err(precondition_failed("User", id, &shown).into());
            }
        }
        let (scim_id, profile, roles) = match found {
            // The invitation was already withdrawn: only the bridge's record is left.
            Found::Invite(inv) => {
                self.store().forget_user(&inv.scim_id, None).await?;
                return Ok(None);
            }
            Found::Member {
                scim_id,
                profile,
                roles,
            } => (scim_id, *profile, roles),
        };
        // Back to member_only before the invitation is withdrawn or the member suspended or removed.
        self.demote_for_delete(ctx, &scim_id, &profile, roles)
            .await?;
        if matches!(profile.status, TeamMemberStatus::Invited) {
            // Nothing to keep or transfer for someone who never joined: withdraw the invitation.
            self.withdraw_invitation(ctx, &profile).await?;
            let member = Some(profile.team_member_id.as_str());
            self.store().forget_user(&scim_id, member).await?;
            return Ok(None);
        }
        let policy = self.settings().deprovision.clone();
        let member = profile.team_member_id.as_str();
        match policy.policy {
            DeprovisionPolicy::Suspend => {
                self.suspend_for_delete(ctx, &profile).await?;
                self.tombstone(&scim_id, &profile).await?;
                Ok(None)
            }
            DeprovisionPolicy::SuspendThenRemove => {
                self.suspend_for_delete(ctx, &profile).await?;
                self.tombstone(&scim_id, &profile).await?;
                let grace = chrono::Duration::seconds(
                    i64::try_from(policy.grace_period_secs).unwrap_or(i64::MAX / 1000),
                );
                let blocked = self.foreseen_block(ctx, &scim_id, member, &policy).await;
                self.schedule(&scim_id, &profile, grace, blocked.as_deref())
                    .await?;
                Ok(blocked)
            }
            DeprovisionPolicy::Remove => {
                let blocked = match self
                    .remove_member(Some(ctx), &scim_id, member, &policy)
                    .await
                {
                    Ok(RemovalOutcome::Blocked(reason)) => reason,
                    Ok(_) => {
                        self.store().mirror_delete(member).await?;
                        return Ok(None);
                    }
                    Err(f) if f.refusal.is_some() => f.detail,
                    Err(f) => return Err(f.into()),
                };
                // Never remove without the transfer the policy asks for: the member is suspended
                // (access ends now) and the removal waits for an operator, visible in `pending`.
                self.suspend_for_delete(ctx, &profile).await?;
                self.tombstone(&scim_id, &profile).await?;
                let now = chrono::Duration::zero();
                self.schedule(&scim_id, &profile, now, Some(&blocked))
                    .await?;
                Ok(Some(blocked))
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
            Found::Member {
                mut profile, roles, ..
            } if matches!(profile.status, TeamMemberStatus::Suspended) => {
                self.unsuspend(ctx, &mut profile).await?;
                self.mirror_member(&profile).await?;
                Ok(Found::Member {
                    scim_id: scim_id.to_owned(),
                    profile,
                    roles,
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

    /// Schedules the member's removal (a durable job) `after` from now, under the current policy;
    /// with `blocked`, records it as blocked for that reason and warns (no e-mail in the line).
    async fn schedule(
        &self,
        scim_id: &str,
        profile: &TeamMemberProfile,
        after: chrono::Duration,
        blocked: Option<&str>,
    ) -> Result<(), BridgeError> {
        let now = chrono::Utc::now();
        let policy = serde_json::to_string(&self.settings().deprovision).map_err(|source| {
            BridgeError::Json {
                what: "policy not serialisable",
                source,
            }
        })?;
        let (store, member, due) = (self.store(), &profile.team_member_id, now + after);
        let Some(reason) = blocked else {
            store
                .schedule_removal(scim_id, member, due, &policy, now)
                .await?;
            return Ok(());
        };
        let removal = store
            .schedule_blocked_removal(scim_id, member, due, &policy, reason, now)
            .await?;
        tracing::warn!(scim.id = %scim_id, removal.id = %removal.id, %reason,
            "the member is suspended but its removal is blocked until an operator acts \
             (`pending --state blocked`, then `pending --retry ID --transfer-dest EMAIL`)");
        Ok(())
    }
}

//! Keeping the team mirror: a refresh walks `members/list_v2` (1,000 per call, so N members cost
//! ceil(N/1000) calls, made as background work under the rate budget) into a new generation, page by
//! page, and swaps it in when complete; the bridge's own writes update single rows.

use super::mapping::user_from_member;
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError};
use crate::dropbox::budget::background;
use crate::dropbox::team::{
    MembersListArg, MembersListContinueArg, TeamMemberProfile, TeamMemberStatus,
};
use crate::store::{MirrorMember, UserExtras};
use std::collections::HashMap;

/// Members per `members/list_v2` call: the most Dropbox hands out.
const LIST_LIMIT: u32 = 1000;

impl Bridge {
    /// Refreshes the mirror from `members/list_v2` when it is missing or older than the configured age.
    /// Concurrent callers wait for one refresh instead of each walking the team; readers elsewhere keep
    /// seeing the previous generation until the new one is complete.
    pub(crate) async fn ensure_mirror_fresh(&self) -> Result<(), BridgeError> {
        let max_age = chrono::Duration::from_std(self.settings().mirror_max_age)
            .unwrap_or(chrono::Duration::MAX);
        let fresh = |at: Option<chrono::DateTime<chrono::Utc>>| {
            at.is_some_and(|t| chrono::Utc::now() - t < max_age)
        };
        if fresh(self.store().mirror_refreshed_at().await?) {
            return Ok(());
        }
        let _turn = self.inner.mirror_refresh.lock().await;
        if fresh(self.store().mirror_refreshed_at().await?) {
            return Ok(());
        }
        let started = chrono::Utc::now();
        let generation = self.store().mirror_begin().await?;
        if let Err(e) = self.fill_generation(generation).await {
            if let Err(cleanup) = self.store().mirror_abandon(generation).await {
                tracing::warn!(error = %cleanup, "could not drop an unfinished mirror generation");
            }
            return Err(e);
        }
        self.store().mirror_swap(generation, started).await?;
        Ok(())
    }

    /// Writes every member into `generation`, one `members/list_v2` page at a time.
    async fn fill_generation(&self, generation: i64) -> Result<(), BridgeError> {
        let arg = MembersListArg::default().with_limit(LIST_LIMIT);
        // The walk is background work under the rate budget: IdP requests waiting for a call go
        // first, and it leaves them the bucket's reserve.
        let mut result = background(self.dropbox().members_list_v2(&arg))
            .await
            .map_err(from_dropbox)?;
        loop {
            let profiles: Vec<TeamMemberProfile> = result
                .members
                .drain(..)
                .map(|info| info.profile)
                .filter(|p| !matches!(p.status, TeamMemberStatus::Removed(_)))
                .collect();
            let rows = self.mirror_rows(&profiles).await?;
            self.store().mirror_insert(generation, &rows).await?;
            if !result.has_more {
                return Ok(());
            }
            let next = MembersListContinueArg::new(result.cursor.clone());
            result = background(self.dropbox().members_list_continue_v2(&next))
                .await
                .map_err(from_dropbox)?;
        }
    }

    /// Mirror rows for some profiles, with their SCIM ids and extras taken from the store.
    async fn mirror_rows(
        &self,
        profiles: &[TeamMemberProfile],
    ) -> Result<Vec<MirrorMember>, BridgeError> {
        let ids: Vec<String> = profiles.iter().map(|p| p.team_member_id.clone()).collect();
        let aliases: HashMap<String, String> = self
            .store()
            .aliases_of_members(&ids)
            .await?
            .into_iter()
            .collect();
        let scim_ids: Vec<String> = ids
            .iter()
            .map(|id| aliases.get(id).unwrap_or(id).clone())
            .collect();
        let extras = self.store().get_extras_many(&scim_ids).await?;
        profiles
            .iter()
            .zip(&scim_ids)
            .map(|(p, scim_id)| mirror_row(p, scim_id, extras.get(scim_id), self.settings()))
            .collect()
    }

    /// Puts one member's current profile into the mirror after a write (or takes it out).
    pub(crate) async fn mirror_member(
        &self,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        if matches!(profile.status, TeamMemberStatus::Removed(_)) {
            self.store().mirror_delete(&profile.team_member_id).await?;
        } else {
            let rows = self.mirror_rows(std::slice::from_ref(profile)).await?;
            for row in &rows {
                self.store().mirror_upsert(row).await?;
            }
        }
        Ok(())
    }
}

/// The mirror row of a member: the columns are taken from the user as the bridge renders it, so a
/// filter pushed down to them answers what the same filter answers on the rendered user.
pub(crate) fn mirror_row(
    p: &TeamMemberProfile,
    scim_id: &str,
    extras: Option<&UserExtras>,
    settings: &crate::bridge::BridgeSettings,
) -> Result<MirrorMember, BridgeError> {
    let status = match &p.status {
        TeamMemberStatus::Active => "active",
        TeamMemberStatus::Invited => "invited",
        TeamMemberStatus::Suspended => "suspended",
        TeamMemberStatus::Removed(_) => "removed",
    };
    let mut user = user_from_member(scim_id, p, extras);
    super::secondary_emails::show_secondary_emails(&settings.secondary_emails, &mut user, p);
    let lower = |v: Option<String>| v.map(|s| s.to_lowercase()).filter(|s| !s.is_empty());
    Ok(MirrorMember {
        team_member_id: p.team_member_id.clone(),
        scim_id: scim_id.to_owned(),
        sort_key: user.user_name.to_lowercase(),
        email_lower: p.email.to_lowercase(),
        external_id: user.external_id.filter(|x| !x.is_empty()),
        given_lower: lower(user.name.given_name),
        family_lower: lower(user.name.family_name),
        emails_lower: MirrorMember::emails_column(user.emails.iter().map(|e| e.value.as_str())),
        active: user.active.unwrap_or(false),
        status: status.to_owned(),
        profile: serde_json::to_string(p).map_err(|source| BridgeError::Json {
            what: "profile not serialisable",
            source,
        })?,
    })
}

//! `meta.created` and `meta.lastModified` of groups (RFC 7643 section 3.1): Dropbox keeps only a
//! creation time, so the store records when the bridge first saw each group and last changed it.

use chrono::Utc;

use super::super::{Bridge, BridgeError};
use crate::scim::etag::{EntityTags, precondition_failed};
use crate::scim::resource::ScimGroup;

impl Bridge {
    /// Fills the group's `meta` times from the store, recording the group on first sight (with
    /// Dropbox's creation time when the caller knows it, else now).
    pub(super) async fn with_times(&self, mut g: ScimGroup) -> Result<ScimGroup, BridgeError> {
        let Some(id) = g.id.clone() else {
            return Ok(g);
        };
        let known = g.meta.created;
        let times = match self.store().group_times(&id).await? {
            // Reads do not write: only a first sight, or an earlier creation time, is recorded.
            Some(t) if known.is_none_or(|c| c >= t.created) => t,
            _ => {
                let seen = known.unwrap_or_else(Utc::now);
                self.store().note_group_seen(&id, seen).await?
            }
        };
        g.meta.created = Some(times.created);
        g.meta.last_modified = Some(times.modified);
        Ok(g)
    }

    /// [`Self::with_times`] for each group of a page.
    pub(super) async fn with_times_all(
        &self,
        groups: Vec<ScimGroup>,
    ) -> Result<Vec<ScimGroup>, BridgeError> {
        let mut out = Vec::with_capacity(groups.len());
        for g in groups {
            out.push(self.with_times(g).await?);
        }
        Ok(out)
    }

    /// Records a change made through the bridge to group `id`, now.
    pub(super) async fn touch_group(&self, id: &str) -> Result<(), BridgeError> {
        Ok(self.store().note_group_modified(id, Utc::now()).await?)
    }

    /// 412 unless the group's current version is one of `if_match` (nothing to check without it).
    pub(super) fn check_group_version(
        group: &ScimGroup,
        if_match: Option<&EntityTags>,
    ) -> Result<(), BridgeError> {
        let Some(tags) = if_match else {
            return Ok(());
        };
        let version = group.version();
        if tags.matches(&version) {
            return Ok(());
        }
        let id = group.id.as_deref().unwrap_or_default();
        Err(precondition_failed("Group", id, &version).into())
    }
}

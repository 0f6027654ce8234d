//! `DELETE /Groups/{id}`: `groups/delete`, waiting for an asynchronous deletion to finish.

use std::collections::BTreeSet;

use super::selector;
use crate::bridge::Bridge;
use crate::bridge::audit::WriteContext;
use crate::bridge::errors::{BridgeError, from_dropbox};
use crate::scim::etag::EntityTags;

impl Bridge {
    /// `DELETE /Groups/{id}`: `groups/delete`, waiting for an asynchronous deletion to finish.
    pub async fn delete_group(&self, ctx: &WriteContext, id: &str) -> Result<(), BridgeError> {
        self.delete_group_if(ctx, id, None).await
    }

    /// `DELETE /Groups/{id}` with `If-Match`: 412 unless the group's current version is one of `if_match`.
    pub async fn delete_group_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        if_match: Option<EntityTags>,
    ) -> Result<(), BridgeError> {
        let result = async {
            let _guard = self.inner.locks.lock(&format!("group:{id}")).await;
            let head = self.group_head(Some(ctx), id).await?;
            head.ensure_writable()?;
            if if_match.is_some() {
                let current = self.with_times(head.to_scim(Vec::new())).await?;
                Self::check_group_version(&current, if_match.as_ref())?;
            }
            // The members of a group that gives an admin role lose it with the group.
            let role_members: BTreeSet<String> = if self.group_gives_role(&head.name) {
                let members = self.group_members(Some(ctx), id).await?;
                members.into_iter().map(|m| m.value).collect()
            } else {
                BTreeSet::new()
            };
            let res = self
                .dropbox_for(ctx)
                .groups_delete_wait(&selector(id))
                .await;
            match res {
                Ok(()) => {}
                // The group existed a moment ago: a retried deletion that succeeded unseen.
                Err(e) if e.has_tag("group_not_found") || e.has_tag("group_already_deleted") => {}
                Err(e) => return Err(from_dropbox(e)),
            }
            self.group_names().remove(id);
            self.store().clear_held_memberships_of_group(id).await?;
            self.store().forget_group_times(id).await?;
            self.roles_after_group_change(ctx, &head.name, &BTreeSet::new(), &role_members)
                .await?;
            Ok(())
        }
        .await;
        self.audited(ctx, Some(id), result, 204).await
    }
}

//! A user's read-only `groups`, the same in every answer: each group named (`display`) through the
//! group-name cache, and the memberships the bridge holds for a deactivated invitee listed too.

use crate::bridge::{Bridge, BridgeError};
use crate::scim::resource::ScimUser;

impl Bridge {
    /// Names the groups of each user of a page, and lists the held memberships of deactivated
    /// invitees, as `GET /Users/{id}` does. No Dropbox call while the group-name cache is warm.
    pub(crate) async fn complete_groups(&self, users: &mut [ScimUser]) -> Result<(), BridgeError> {
        for user in users.iter_mut() {
            let mut ids: Vec<String> = user.groups.iter().map(|g| g.value.clone()).collect();
            if ids.is_empty()
                && user.active == Some(false)
                && let Some(id) = &user.id
            {
                // Only a deactivated invitee has held memberships; for anyone else this is empty.
                ids = self.store().held_groups_of_user(id).await?;
            }
            if !ids.is_empty() {
                user.groups = self.group_refs(&ids).await?;
            }
        }
        Ok(())
    }
}

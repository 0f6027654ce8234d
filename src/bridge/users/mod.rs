//! SCIM Users over Dropbox team members.
//!
//! * `create`: `POST /Users`; `write`: `PUT` and `PATCH`; `delete`: `DELETE` under the deprovisioning
//!   policy (and undoing it).
//! * `reconcile`: brings a found user to the wanted state (profile fields and `active`).
//! * `suspension`: suspend and unsuspend a member who joined; `invitation`: invite, and deactivate or
//!   reactivate someone who has not joined yet (Dropbox cannot suspend an invitee).
//! * `lookup`, `list`, `mapping`: reads, listings and the SCIM/Dropbox field mapping.
//! * `admin_role`, `admin_role_groups`, `admin_role_view`: Dropbox admin roles from SCIM `roles` and mapped groups.

mod admin_role;
mod admin_role_groups;
mod admin_role_view;
mod create;
mod delete;
mod groups_of;
mod invitation;
mod list;
mod listing_cache;
mod lookup;
mod lookup_cache;
mod mapping;
mod mirror_refresh;
mod reconcile;
mod secondary_emails;
mod space_limit;
mod suspension;
mod write;

pub(crate) use admin_role::RoleIds;
pub(crate) use listing_cache::ListingCache;

use super::{Bridge, BridgeError, WriteContext};
use crate::scim::resource::ScimUser;

impl Bridge {
    /// Audits a finished user write.
    async fn audit_user_write(&self, ctx: &WriteContext, result: &Result<ScimUser, BridgeError>) {
        match result {
            Ok(user) => {
                let status = if ctx.operation.starts_with("POST") {
                    201
                } else {
                    200
                };
                self.audit(ctx, "User", user.id.as_deref(), status, None)
                    .await
            }
            Err(e) => {
                let detail = super::audit::audit_detail(e);
                self.audit(ctx, "User", None, e.status(), Some(detail))
                    .await
            }
        }
    }
}

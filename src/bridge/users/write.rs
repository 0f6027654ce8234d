//! `PUT` and `PATCH /Users/{id}` (RFC 7644 sections 3.5.1 and 3.5.2): the wanted user is computed from
//! the body, validated as a whole, and only then reconciled with Dropbox.

use crate::bridge::{Bridge, BridgeError, WriteContext};
use crate::scim::error::ScimError;
use crate::scim::etag::{EntityTags, precondition_failed};
use crate::scim::patch::{apply, parse_patch};
use crate::scim::resource::ScimUser;
use crate::scim::schema::user_schema;
use serde_json::Value;

impl Bridge {
    /// `PUT /Users/{id}`: the whole user is replaced by the body.
    pub async fn replace_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        self.replace_user_if(ctx, id, body, None).await
    }

    /// `PUT /Users/{id}` with `If-Match`: 412 unless the user's current version is one of `if_match`.
    pub async fn replace_user_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
        if_match: Option<EntityTags>,
    ) -> Result<ScimUser, BridgeError> {
        let desired = self
            .audit_refusal(ctx, "User", ScimUser::from_json(body))
            .await?;
        self.write_user(ctx, id, if_match, move |_| Ok(desired))
            .await
    }

    /// `PATCH /Users/{id}`: the operations are applied to the current user, validated as a whole,
    /// and only then turned into Dropbox calls.
    pub async fn patch_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
    ) -> Result<ScimUser, BridgeError> {
        self.patch_user_if(ctx, id, body, None).await
    }

    /// `PATCH /Users/{id}` with `If-Match`: 412 unless the user's current version is one of `if_match`.
    pub async fn patch_user_if(
        &self,
        ctx: &WriteContext,
        id: &str,
        body: Value,
        if_match: Option<EntityTags>,
    ) -> Result<ScimUser, BridgeError> {
        let ops = self.audit_refusal(ctx, "User", parse_patch(&body)).await?;
        self.write_user(ctx, id, if_match, move |current| {
            let mut doc = current.to_json("");
            apply(&ops, &mut doc, user_schema())?;
            ScimUser::from_json(doc)
        })
        .await
    }

    /// Under the user's lock: finds it, computes the wanted state from the current one, and reconciles.
    async fn write_user(
        &self,
        ctx: &WriteContext,
        id: &str,
        if_match: Option<EntityTags>,
        desired: impl FnOnce(&ScimUser) -> Result<ScimUser, ScimError> + Send + 'static,
    ) -> Result<ScimUser, BridgeError> {
        let _turn = self.inner.locks.lock(&format!("user:{id}")).await;
        let result = async {
            let Some(found) = self.find_by_id(id, true).await? else {
                return Err(BridgeError::not_found("User", id));
            };
            if let Some(tags) = &if_match {
                let shown = self.render(&found, true).await?.version();
                if !tags.matches(&shown) {
                    return Err(precondition_failed("User", id, &shown).into());
                }
            }
            let current = self.render(&found, false).await?;
            // Applying up to MAX_PATCH_OPERATIONS over bounded values is CPU work: it runs on the
            // blocking pool so that it never holds up the async workers (and /healthz) meanwhile.
            let wanted = tokio::task::spawn_blocking(move || desired(&current))
                .await
                .map_err(|e| {
                    BridgeError::Internal(format!("PATCH evaluation did not finish: {e}"))
                })??;
            super::reconcile::validate(&wanted)?;
            self.check_admin_roles(&wanted)?;
            let tombstoned = self.store().get_deleted_user(id).await?.is_some();
            let found = if tombstoned {
                // The IdP deleted this user; only a reactivation brings it back.
                if wanted.active != Some(true) {
                    return Err(BridgeError::not_found("User", id));
                }
                self.restore(ctx, id, found).await?
            } else {
                found
            };
            let found = self.reconcile_user(ctx, found, &wanted).await?;
            self.render(&found, true).await
        }
        .await;
        self.audit_user_write(ctx, &result).await;
        result
    }
}

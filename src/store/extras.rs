//! Extra SCIM user attributes Dropbox cannot hold, one JSON document per SCIM user id.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, from_json, on_pool, placeholders, to_json};

/// One typed multi-valued attribute item as the IdP sent it (a phone number or an e-mail).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMultiValue {
    /// The number or address.
    pub value: String,
    /// `work`, `mobile`, ...
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether the IdP marked it primary.
    #[serde(default)]
    pub primary: bool,
}

/// The SCIM enterprise user extension (RFC 7643 section 4.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Enterprise {
    /// `employeeNumber`.
    pub employee_number: Option<String>,
    /// `department`.
    pub department: Option<String>,
    /// `costCenter`.
    pub cost_center: Option<String>,
    /// `organization`.
    pub organization: Option<String>,
    /// `division`.
    pub division: Option<String>,
    /// `manager.value`: the manager's SCIM id.
    pub manager_id: Option<String>,
}

/// Everything about a user the bridge keeps itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserExtras {
    /// `displayName` exactly as sent.
    pub display_name: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `phoneNumbers`.
    pub phone_numbers: Vec<StoredMultiValue>,
    /// The enterprise extension, when sent.
    pub enterprise: Option<Enterprise>,
    /// `emails` as sent (Dropbox holds only the primary login e-mail, which is `userName`).
    pub emails: Vec<StoredMultiValue>,
    /// `name.formatted` as sent.
    pub name_formatted: Option<String>,
    /// `userName` as sent, when it is not the member's Dropbox e-mail (e.g. a UPN or an opaque id).
    pub user_name: Option<String>,
    /// The core attributes Dropbox has no place for (`nickName`, `addresses`, `roles`...), as sent.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub stored: std::collections::BTreeMap<String, serde_json::Value>,
    /// The custom space limit (GB) the bridge last set in Dropbox (`bridge/users/space_limit.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space_limit_gb: Option<u32>,
    /// When the bridge first knew the user (a column, not part of the document): see `note_user_created`.
    #[serde(skip)]
    pub created_at: Option<DateTime<Utc>>,
    /// When the extras were last written (a column, not part of the document).
    #[serde(skip)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl UserExtras {
    fn manager_id(&self) -> Option<&str> {
        self.enterprise
            .as_ref()
            .and_then(|e| e.manager_id.as_deref())
    }
}

/// `doc`, `created_at`, `updated_at` of one `user_extras` row.
type ExtrasRow = (String, Option<DateTime<Utc>>, DateTime<Utc>);
/// `scim_id` and an [`ExtrasRow`].
type IdExtrasRow = (String, String, Option<DateTime<Utc>>, DateTime<Utc>);

fn read_row((doc, created, updated): ExtrasRow) -> Result<UserExtras, StoreError> {
    let mut extras: UserExtras = from_json(&doc, "user extras")?;
    extras.created_at = created;
    extras.updated_at = Some(updated);
    Ok(extras)
}

/// Extras read beside other rows: the document and the row's times, `None` when no row exists.
pub(crate) fn extras_from_parts(
    doc: Option<String>,
    created: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
) -> Result<Option<UserExtras>, StoreError> {
    let Some(doc) = doc else {
        return Ok(None);
    };
    let mut extras: UserExtras = from_json(&doc, "user extras")?;
    extras.created_at = created;
    extras.updated_at = updated;
    Ok(Some(extras))
}

/// Ids per `IN (...)` query: far below both backends' bind limits.
const BATCH: usize = 500;

impl Store {
    /// Creates or replaces the extras of one user.
    pub async fn put_extras(
        &self,
        scim_id: &str,
        extras: &UserExtras,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let doc = to_json(extras, "user extras")?;
        let sql = "INSERT INTO user_extras (scim_id, manager_id, doc, updated_at, created_at) VALUES ($1, $2, $3, $4, $4) \
                   ON CONFLICT (scim_id) DO UPDATE SET manager_id = excluded.manager_id, doc = excluded.doc, \
                   updated_at = excluded.updated_at";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(scim_id).bind(extras.manager_id()).bind(&doc).bind(now)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// The extras of one user, if any were stored.
    pub async fn get_extras(&self, scim_id: &str) -> Result<Option<UserExtras>, StoreError> {
        let sql = "SELECT doc, created_at, updated_at FROM user_extras WHERE scim_id = $1";
        let row: Option<ExtrasRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(scim_id).fetch_optional(pool).await?);
        row.map(read_row).transpose()
    }

    /// The extras of many users at once (missing users are absent from the map).
    pub async fn get_extras_many(
        &self,
        scim_ids: &[String],
    ) -> Result<HashMap<String, UserExtras>, StoreError> {
        let mut out = HashMap::with_capacity(scim_ids.len());
        for chunk in scim_ids.chunks(BATCH) {
            let sql = format!(
                "SELECT scim_id, doc, created_at, updated_at FROM user_extras WHERE scim_id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<IdExtrasRow> = on_pool!(self, pool => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await?
            });
            for (id, doc, created, updated) in rows {
                out.insert(id, read_row((doc, created, updated))?);
            }
        }
        Ok(out)
    }

    /// SCIM ids of the users whose manager is `manager_id`.
    pub async fn direct_reports(&self, manager_id: &str) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT scim_id FROM user_extras WHERE manager_id = $1 ORDER BY scim_id";
        Ok(on_pool!(self, pool => sqlx::query_scalar(sql).bind(manager_id).fetch_all(pool).await?))
    }

    /// Forgets a user's extras; true if there were any.
    pub async fn delete_extras(&self, scim_id: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM user_extras WHERE scim_id = $1";
        let n = on_pool!(self, pool => sqlx::query(sql).bind(scim_id).execute(pool).await?.rows_affected());
        Ok(n > 0)
    }
}

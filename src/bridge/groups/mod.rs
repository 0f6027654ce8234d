//! SCIM Groups over Dropbox groups.

use super::{Bridge, BridgeError};
use crate::scim::resource::GroupRef;

impl Bridge {
    /// TEMPORARY (replaced by the groups branch).
    pub async fn groups_of_member(&self, _id: &str) -> Result<Vec<GroupRef>, BridgeError> {
        Ok(Vec::new())
    }
}

use super::{ListPage, WriteContext};
use crate::scim::list::ListQuery;
use crate::scim::resource::ScimGroup;
use serde_json::Value;

fn todo_groups() -> BridgeError {
    BridgeError::Scim(crate::scim::error::ScimError::new(
        501,
        None,
        "groups pending merge",
    ))
}

impl Bridge {
    /// TEMPORARY.
    pub async fn create_group(
        &self,
        _c: &WriteContext,
        _b: Value,
    ) -> Result<ScimGroup, BridgeError> {
        Err(todo_groups())
    }
    /// TEMPORARY.
    pub async fn get_group(&self, _id: &str, _m: bool) -> Result<ScimGroup, BridgeError> {
        Err(todo_groups())
    }
    /// TEMPORARY.
    pub async fn list_groups(
        &self,
        _q: &ListQuery,
        _m: bool,
    ) -> Result<ListPage<ScimGroup>, BridgeError> {
        Err(todo_groups())
    }
    /// TEMPORARY.
    pub async fn replace_group(
        &self,
        _c: &WriteContext,
        _id: &str,
        _b: Value,
    ) -> Result<ScimGroup, BridgeError> {
        Err(todo_groups())
    }
    /// TEMPORARY.
    pub async fn patch_group(
        &self,
        _c: &WriteContext,
        _id: &str,
        _b: Value,
    ) -> Result<ScimGroup, BridgeError> {
        Err(todo_groups())
    }
    /// TEMPORARY.
    pub async fn delete_group(&self, _c: &WriteContext, _id: &str) -> Result<(), BridgeError> {
        Err(todo_groups())
    }
}

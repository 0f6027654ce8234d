//! Bounds on what one request may ask for, so that an authenticated client cannot spend the server's
//! CPU (RFC 7644 §3.12 `tooMany`). Published in `/ServiceProviderConfig` and the README.

use super::error::ScimError;
use super::schema::{AttributeDef, Mutability};

/// The most values one writable multi-valued User attribute (`emails`, `phoneNumbers`) may hold.
/// Okta and Entra send one to three; Dropbox keeps one address per member.
pub const MAX_VALUES_PER_ATTRIBUTE: usize = 100;

/// The most `members` one Group request (POST, PUT or one PATCH value) may carry. Okta pushes a whole
/// group in one PUT or `replace`; 50,000 is above what the default 1 MiB body limit lets through.
pub const MAX_GROUP_MEMBERS: usize = 50_000;

/// The most operations one PATCH request may carry. Okta sends one to three, Entra batches member
/// changes a few at a time; 1,000 leaves room for scripted clients.
pub const MAX_PATCH_OPERATIONS: usize = 1000;

/// The most values `def` may hold in one request or after one PATCH operation; `None` if unbounded
/// (single-valued and read-only attributes, which requests cannot set).
pub fn max_values(def: &AttributeDef) -> Option<usize> {
    if !def.multi_valued || def.mutability == Mutability::ReadOnly {
        return None;
    }
    Some(if def.name == "members" {
        MAX_GROUP_MEMBERS
    } else {
        MAX_VALUES_PER_ATTRIBUTE
    })
}

/// 400 `tooMany` if `count` values of `def` exceed [`max_values`].
pub fn check_values(def: &AttributeDef, count: usize) -> Result<(), ScimError> {
    match max_values(def) {
        Some(max) if count > max => Err(ScimError::too_many(format!(
            "{} holds {count} values; this server accepts at most {max}",
            def.name
        ))),
        _ => Ok(()),
    }
}

/// 400 `tooMany` if a PATCH request carries more than [`MAX_PATCH_OPERATIONS`] operations.
pub fn check_operations(count: usize) -> Result<(), ScimError> {
    if count > MAX_PATCH_OPERATIONS {
        return Err(ScimError::too_many(format!(
            "the PATCH request has {count} operations; this server accepts at most {MAX_PATCH_OPERATIONS}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::ScimType;
    use crate::scim::schema::{group_schema, user_schema};

    #[test]
    fn limits_apply_to_writable_multi_valued_attributes_only() {
        let user = user_schema().core;
        let emails = user.attr("emails").expect("emails");
        assert_eq!(max_values(emails), Some(MAX_VALUES_PER_ATTRIBUTE));
        assert_eq!(max_values(user.attr("groups").expect("groups")), None);
        assert_eq!(max_values(user.attr("userName").expect("userName")), None);
        let members = group_schema().core.attr("members").expect("members");
        assert_eq!(max_values(members), Some(MAX_GROUP_MEMBERS));
        assert!(check_values(emails, MAX_VALUES_PER_ATTRIBUTE).is_ok());
        let err = check_values(emails, MAX_VALUES_PER_ATTRIBUTE + 1).err();
        assert_eq!(
            err.map(|e| (e.status, e.scim_type)),
            Some((400, Some(ScimType::TooMany)))
        );
        assert!(check_operations(MAX_PATCH_OPERATIONS).is_ok());
        assert!(check_operations(MAX_PATCH_OPERATIONS + 1).is_err());
    }
}

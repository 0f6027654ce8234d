//! Dropbox's own field rules, checked before any call so that the IdP gets a precise 400.

use crate::scim::error::ScimError;

/// Longest given name or surname Dropbox accepts.
pub const NAME_MAX: usize = 50;
/// Longest `external_id` Dropbox accepts.
pub const EXTERNAL_ID_MAX: usize = 64;
/// Longest e-mail address Dropbox accepts.
pub const EMAIL_MAX: usize = 255;
/// Longest group name the bridge sends (Dropbox documents none; this keeps names sane).
pub const GROUP_NAME_MAX: usize = 255;

fn invalid(detail: String) -> ScimError {
    ScimError::invalid_value(detail)
}

/// A name part (`name.givenName`, `name.familyName`): at most 50 characters, none of `/:?*<>"|`.
pub fn check_name_part(field: &str, value: &str) -> Result<(), ScimError> {
    let len = value.chars().count();
    if len > NAME_MAX {
        return Err(invalid(format!(
            "{field} is {len} characters long; Dropbox accepts at most {NAME_MAX}"
        )));
    }
    if let Some(c) = value.chars().find(|c| "/:?*<>\"|".contains(*c)) {
        return Err(invalid(format!(
            "{field} contains `{c}`, which Dropbox does not accept in names (/:?*<>\"|)"
        )));
    }
    Ok(())
}

/// `externalId`: at most 64 characters.
pub fn check_external_id(value: &str) -> Result<(), ScimError> {
    let len = value.chars().count();
    if len > EXTERNAL_ID_MAX {
        return Err(invalid(format!(
            "externalId is {len} characters long; Dropbox accepts at most {EXTERNAL_ID_MAX}"
        )));
    }
    if value.is_empty() {
        return Err(invalid("externalId must not be empty".to_owned()));
    }
    Ok(())
}

/// `userName` must be the member's e-mail address, as Dropbox identifies members by it.
pub fn check_email(field: &str, value: &str) -> Result<(), ScimError> {
    if value.len() > EMAIL_MAX {
        return Err(invalid(format!(
            "{field} is {} bytes long; Dropbox accepts at most {EMAIL_MAX}",
            value.len()
        )));
    }
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "{field} must be an e-mail address: Dropbox identifies members by e-mail"
        )))
    }
}

/// A group name: not empty, not only spaces, not too long.
pub fn check_group_name(value: &str) -> Result<(), ScimError> {
    if value.trim().is_empty() {
        return Err(invalid("displayName must not be empty".to_owned()));
    }
    let len = value.chars().count();
    if len > GROUP_NAME_MAX {
        return Err(invalid(format!(
            "displayName is {len} characters long; at most {GROUP_NAME_MAX} are accepted"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(r: Result<(), ScimError>) -> String {
        r.expect_err("should be refused").detail
    }

    #[test]
    fn names_over_fifty_characters_say_which_field_and_limit() {
        let d = detail(check_name_part("name.givenName", &"é".repeat(51)));
        assert!(d.contains("name.givenName") && d.contains("50"), "{d}");
        check_name_part("name.givenName", &"é".repeat(50)).expect("50 is fine");
    }

    #[test]
    fn forbidden_characters_are_named() {
        assert!(detail(check_name_part("name.familyName", "a/b")).contains('/'));
    }

    #[test]
    fn external_ids_over_sixty_four_are_refused() {
        let d = detail(check_external_id(&"x".repeat(65)));
        assert!(d.contains("externalId") && d.contains("64"), "{d}");
        check_external_id(&"x".repeat(64)).expect("64 is fine");
    }

    #[test]
    fn user_names_must_be_emails() {
        check_email("userName", "a.b+c@example.co.uk").expect("valid");
        for bad in [
            "plain",
            "a@",
            "@x.com",
            "a@b",
            "a b@x.com",
            "a@x.com.",
            "a@@x.com",
        ] {
            assert!(check_email("userName", bad).is_err(), "{bad}");
        }
    }
}

//! Dropbox's own field rules, checked before any call so that the IdP gets a precise 400.

pub use crate::dropbox::email::email_matches;
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

/// A name part (`name.givenName`, `name.familyName`): at most 50 characters, none of `/:?*<>"|`,
/// no control or bidi-override character.
pub fn check_name_part(field: &str, value: &str) -> Result<(), ScimError> {
    let len = value.chars().count();
    if len > NAME_MAX {
        return Err(invalid(format!(
            "{field} is {len} characters long; Dropbox accepts at most {NAME_MAX}"
        )));
    }
    check_no_hidden_chars(field, value)?;
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

/// `userName` must be the member's e-mail address, as Dropbox identifies members by it. The detail
/// never echoes the address (it would reach the audit log).
pub fn check_email(field: &str, value: &str) -> Result<(), ScimError> {
    if value.len() > EMAIL_MAX {
        return Err(invalid(format!(
            "{field} is {} bytes long; Dropbox accepts at most {EMAIL_MAX}",
            value.len()
        )));
    }
    if email_matches(value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{field} must be an e-mail address Dropbox accepts (ASCII letters, digits and \
             '#&._%+- before the @, a domain with a 2-15 letter top level): Dropbox identifies \
             members by e-mail"
        )))
    }
}

/// Whether `c` is a control character or one that reorders text (bidi embeddings, overrides and
/// isolates, and the left-to-right/right-to-left marks): they make a name display as something else.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A name (given, family, display or group name) holds no control or bidi-override character.
pub fn check_no_hidden_chars(field: &str, value: &str) -> Result<(), ScimError> {
    match value.chars().find(|c| is_hidden_char(*c)) {
        Some(c) => Err(invalid(format!(
            "{field} contains U+{:04X}, a control or bidi-override character, which is refused in names",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// A group name: not empty, not only spaces, not too long, no control or bidi-override character.
pub fn check_group_name(value: &str) -> Result<(), ScimError> {
    if value.trim().is_empty() {
        return Err(invalid("displayName must not be empty".to_owned()));
    }
    check_no_hidden_chars("displayName", value)?;
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
            "ünïcode@example.com",
            "😀@example.com",
            "user@[127.0.0.1]",
            "a@x.c",
            "a@x.c0m",
            "a@.x.com",
        ] {
            assert!(check_email("userName", bad).is_err(), "{bad}");
        }
        check_email("userName", "o'neil#&%@mail-1.example.museum").expect("spec pattern allows");
    }

    #[test]
    fn refusals_of_e_mails_do_not_echo_the_address() {
        let d = detail(check_email("userName", "ünïcode@example.com"));
        assert!(!d.contains("example.com"), "{d}");
    }

    #[test]
    fn control_and_bidi_characters_are_refused_in_names() {
        for bad in [
            "Ann\u{0}",
            "Ann\nLee",
            "Ann\u{7f}",
            "\u{202E}nnA",
            "A\u{202A}",
            "A\u{2066}b",
            "A\u{2069}",
            "A\u{200E}",
            "A\u{200F}",
        ] {
            let d = detail(check_name_part("name.givenName", bad));
            assert!(
                d.contains("name.givenName") && d.contains("U+"),
                "{bad:?}: {d}"
            );
            assert!(check_group_name(bad).is_err(), "{bad:?}");
        }
        check_name_part("name.givenName", "Zoë ʻIolana 李").expect("ordinary letters are fine");
        check_group_name("שלום Team").expect("right-to-left letters are fine");
    }
}

//! The `[secondary_emails]` section: which non-primary SCIM `emails` become Dropbox secondary e-mails
//! (`members/secondary_emails/add` and `delete`). Off by default: then `emails` stay stored-only.

use serde::{Deserialize, Deserializer, Serialize};

/// The longest a configured `emails` type may be (types are short words such as `work`).
const MAX_TYPE_LEN: usize = 64;

/// Secondary e-mails driven by the IdP.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SecondaryEmailsConfig {
    /// Turn the mapping on; off, the bridge never calls the secondary e-mail routes.
    #[serde(default)]
    pub enabled: bool,
    /// The `emails[].type` values (compared case-insensitively) whose non-primary addresses become
    /// secondary e-mails. From the environment, a comma-separated list.
    #[serde(default = "default_types", deserialize_with = "types")]
    pub types: Vec<String>,
}

impl Default for SecondaryEmailsConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            types: default_types(),
        }
    }
}

impl SecondaryEmailsConfig {
    /// Whether `kind` (an `emails[].type`, if any) is one of the configured types.
    pub fn maps_type(&self, kind: Option<&str>) -> bool {
        kind.is_some_and(|k| self.types.iter().any(|t| t.eq_ignore_ascii_case(k.trim())))
    }

    /// The type a secondary e-mail found only in Dropbox is shown with: the first configured one.
    pub fn shown_type(&self) -> &str {
        self.types.first().map_or("work", String::as_str)
    }
}

fn default_types() -> Vec<String> {
    vec!["work".to_owned()]
}

/// A non-empty list of short, distinct, printable types, lower-cased.
fn types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let raw = super::list_or_commas(d)?;
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim().to_ascii_lowercase();
        if t.is_empty() || t.len() > MAX_TYPE_LEN || !t.chars().all(|c| c.is_ascii_graphic()) {
            return Err(serde::de::Error::custom(format!(
                "each type must be 1 to {MAX_TYPE_LEN} printable ASCII characters without spaces, \
                 such as \"work\""
            )));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() {
        return Err(serde::de::Error::custom(
            "must name at least one `emails` type, such as [\"work\"]",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{Config, ConfigError};

    fn load(env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::load_from(
            None,
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn off_by_default_with_work() {
        let c = load(&[]).expect("defaults load");
        assert!(!c.secondary_emails.enabled);
        assert_eq!(c.secondary_emails.types, vec!["work".to_owned()]);
        assert!(c.secondary_emails.maps_type(Some("Work")));
        assert!(!c.secondary_emails.maps_type(Some("home")));
        assert!(!c.secondary_emails.maps_type(None));
    }

    #[test]
    fn types_from_the_environment_are_a_list() {
        let c = load(&[
            ("SCIM_BRIDGE_SECONDARY_EMAILS__ENABLED", "true"),
            ("SCIM_BRIDGE_SECONDARY_EMAILS__TYPES", "Work, other,work"),
        ])
        .expect("loads");
        assert!(c.secondary_emails.enabled);
        assert_eq!(c.secondary_emails.types, vec!["work", "other"]);
        assert_eq!(c.secondary_emails.shown_type(), "work");
    }

    #[test]
    fn an_empty_or_odd_type_list_is_refused_at_start_up() {
        for bad in [",", "two words", "wörk"] {
            let err = load(&[("SCIM_BRIDGE_SECONDARY_EMAILS__TYPES", bad)]).err();
            let text = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(text.contains("secondary_emails.types"), "{bad}: {text}");
        }
    }
}

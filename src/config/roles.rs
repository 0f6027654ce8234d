//! The `[roles]` section: which Dropbox admin role the IdP may give whom. Off by default; then the
//! bridge never touches a role and SCIM `roles` is a stored attribute like `nickName`.
//!
//! A role comes from a value of the SCIM `roles` attribute (a Dropbox role name such as
//! `user_management_admin`, or a name mapped in `[roles.values]`) or from membership of a SCIM group
//! named in `[roles.groups]`. Only the roles in `allowed` may be granted; `team_admin` never is
//! unless `allowed` names it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::ConfigError;

/// A Dropbox-defined team member role, by the name the configuration uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminRole {
    /// Full administration of the team.
    TeamAdmin,
    /// Adds, removes and manages members.
    UserManagementAdmin,
    /// Helps members with limited tasks (password resets).
    SupportAdmin,
    /// Payments and contracts.
    BillingAdmin,
    /// No admin role at all.
    MemberOnly,
}

impl AdminRole {
    /// Every role, highest first: when several apply to one member, the first one wins.
    pub const ALL: [AdminRole; 5] = [
        AdminRole::TeamAdmin,
        AdminRole::UserManagementAdmin,
        AdminRole::SupportAdmin,
        AdminRole::BillingAdmin,
        AdminRole::MemberOnly,
    ];

    /// The configuration (and SCIM) name, e.g. `support_admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminRole::TeamAdmin => "team_admin",
            AdminRole::UserManagementAdmin => "user_management_admin",
            AdminRole::SupportAdmin => "support_admin",
            AdminRole::BillingAdmin => "billing_admin",
            AdminRole::MemberOnly => "member_only",
        }
    }

    /// Parses a configuration name; also reads Dropbox's display names ("Support admin").
    pub fn parse(name: &str) -> Option<Self> {
        let norm = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|r| r.as_str() == norm)
    }

    fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl std::fmt::Display for AdminRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The admin roles the IdP drives (`[roles]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RolesConfig {
    /// Manage Dropbox admin roles at all; without it roles are never touched.
    #[serde(default)]
    pub enabled: bool,
    /// The roles the IdP may grant (`team_admin` only when listed). From the environment, a
    /// comma-separated list.
    #[serde(default, deserialize_with = "super::list_or_commas")]
    pub allowed: Vec<String>,
    /// Extra SCIM `roles` values and the Dropbox role each means (a Dropbox role name always means
    /// itself). From the environment, `Value=role` pairs separated by commas.
    #[serde(default, deserialize_with = "map_or_pairs")]
    pub values: BTreeMap<String, String>,
    /// SCIM group display names whose members get a role. From the environment, `Name=role` pairs
    /// separated by commas.
    #[serde(default, deserialize_with = "map_or_pairs")]
    pub groups: BTreeMap<String, String>,
}

impl RolesConfig {
    /// Refuses unknown role names (naming the key), and group mappings to roles not allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let role = |key: &str, name: &str| {
            AdminRole::parse(name).ok_or_else(|| {
                ConfigError::invalid(
                    key,
                    format!(
                        "unknown role `{name}`; the roles are {}",
                        AdminRole::names()
                    ),
                )
            })
        };
        for (i, name) in self.allowed.iter().enumerate() {
            role(&format!("roles.allowed[{i}]"), name)?;
        }
        for (value, name) in &self.values {
            role(&format!("roles.values.{value}"), name)?;
        }
        for (group, name) in &self.groups {
            let key = format!("roles.groups.{group}");
            let r = role(&key, name)?;
            if r != AdminRole::MemberOnly && !self.allows(r) {
                return Err(ConfigError::invalid(
                    &key,
                    format!("gives `{r}`, which roles.allowed does not list"),
                ));
            }
        }
        if self.enabled && self.allowed.is_empty() {
            return Err(ConfigError::invalid(
                "roles.allowed",
                "must list at least one role the IdP may grant when roles.enabled is true",
            ));
        }
        Ok(())
    }

    /// Whether the IdP may grant `role` (`member_only` always).
    pub fn allows(&self, role: AdminRole) -> bool {
        role == AdminRole::MemberOnly
            || self
                .allowed
                .iter()
                .any(|a| AdminRole::parse(a) == Some(role))
    }

    /// The role a SCIM `roles` value stands for, if any (mapped values first, then role names).
    pub fn role_of_value(&self, value: &str) -> Option<AdminRole> {
        let value = value.trim();
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(value))
            .and_then(|(_, r)| AdminRole::parse(r))
            .or_else(|| {
                AdminRole::ALL
                    .into_iter()
                    .find(|r| r.as_str().eq_ignore_ascii_case(value))
            })
    }

    /// The role membership of a group with this display name gives, if any.
    pub fn role_of_group(&self, display_name: &str) -> Option<AdminRole> {
        self.groups
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(display_name.trim()))
            .and_then(|(_, r)| AdminRole::parse(r))
    }
}

/// A table, or (from the environment) `key=value` pairs separated by commas.
fn map_or_pairs<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Map(BTreeMap<String, String>),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Map(m) => Ok(m),
        Raw::Text(s) => s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    Ok((k.trim().to_owned(), v.trim().to_owned()))
                }
                _ => Err(serde::de::Error::custom(format!(
                    "`{p}` is not a `name=role` pair"
                ))),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(allowed: &[&str]) -> RolesConfig {
        RolesConfig {
            enabled: true,
            allowed: allowed.iter().map(|s| s.to_string()).collect(),
            ..RolesConfig::default()
        }
    }

    #[test]
    fn team_admin_is_allowed_only_when_named() {
        let c = config(&["support_admin"]);
        assert!(c.allows(AdminRole::SupportAdmin));
        assert!(c.allows(AdminRole::MemberOnly));
        assert!(!c.allows(AdminRole::TeamAdmin));
        assert!(config(&["team_admin"]).allows(AdminRole::TeamAdmin));
    }

    #[test]
    fn unknown_role_names_the_key() {
        let mut c = config(&["support_admin", "super_admin"]);
        let e = c.validate().expect_err("unknown").to_string();
        assert!(
            e.contains("roles.allowed[1]") && e.contains("super_admin"),
            "{e}"
        );
        c.allowed.pop();
        c.groups
            .insert("Admins".into(), "user_management_admin".into());
        let e = c.validate().expect_err("not allowed").to_string();
        assert!(e.contains("roles.groups.Admins"), "{e}");
    }

    #[test]
    fn values_map_by_name_and_by_table() {
        let mut c = config(&["billing_admin"]);
        c.values.insert("Finance".into(), "billing_admin".into());
        assert_eq!(c.role_of_value("finance"), Some(AdminRole::BillingAdmin));
        assert_eq!(
            c.role_of_value("Support_Admin"),
            Some(AdminRole::SupportAdmin)
        );
        assert_eq!(c.role_of_value("Employee"), None);
        assert_eq!(
            AdminRole::parse("User management admin"),
            Some(AdminRole::UserManagementAdmin)
        );
    }
}

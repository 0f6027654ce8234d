//! The deprovisioning policy (`[deprovision]`), checked against Dropbox's own `members/remove` rules.

use super::ConfigError;
use serde::{Deserialize, Serialize};

/// What `DELETE /Users/{id}` does to the Dropbox member.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeprovisionPolicy {
    /// Suspend only; an operator removes the member by hand. Nothing is ever deleted.
    #[default]
    Suspend,
    /// Remove the member at once, with the configured transfer and wipe options.
    Remove,
    /// Suspend at once, then remove after `grace_period_secs` unless the user comes back.
    SuspendThenRemove,
}

/// Where a removed member's files go.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TransferTo {
    /// No transfer: the files stay with the removed account (recoverable for 7 days).
    #[default]
    None,
    /// Always to `transfer_dest`.
    Member,
    /// To the user's manager (enterprise `manager`), else to `transfer_dest` when set.
    Manager,
}

/// The `[deprovision]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprovisionConfig {
    /// Which policy applies.
    #[serde(default)]
    pub policy: DeprovisionPolicy,
    /// Delay between suspension and removal for `suspend_then_remove`.
    #[serde(default = "default_grace")]
    pub grace_period_secs: u64,
    /// `members/remove` `wipe_data` (Dropbox's default: true).
    #[serde(default = "yes")]
    pub wipe_data: bool,
    /// Downgrade the member to a Basic account instead of deleting it.
    #[serde(default)]
    pub keep_account: bool,
    /// Keep the Basic account's access to team shares (needs `keep_account`).
    #[serde(default)]
    pub retain_team_shares: bool,
    /// Transfer destination kind.
    #[serde(default)]
    pub transfer_to: TransferTo,
    /// The fixed destination (`member`) or the fallback (`manager`): an e-mail or a `dbmid:` id.
    pub transfer_dest: Option<String>,
    /// The admin who receives transfer errors (Dropbox requires one with any transfer).
    pub transfer_admin: Option<String>,
}

impl Default for DeprovisionConfig {
    fn default() -> Self {
        Self {
            policy: DeprovisionPolicy::default(),
            grace_period_secs: default_grace(),
            wipe_data: true,
            keep_account: false,
            retain_team_shares: false,
            transfer_to: TransferTo::default(),
            transfer_dest: None,
            transfer_admin: None,
        }
    }
}

impl DeprovisionConfig {
    /// Refuses combinations that Dropbox's `members/remove` would refuse, naming its error tag.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let k = |key: &str| format!("deprovision.{key}");
        if self.keep_account && self.wipe_data {
            return Err(ConfigError::invalid(
                &k("keep_account"),
                "needs `wipe_data = false`: Dropbox cannot keep an account whose data it wipes \
                 (cannot_keep_account_and_delete_data)",
            ));
        }
        if self.keep_account && self.transfer_to != TransferTo::None {
            return Err(ConfigError::invalid(
                &k("keep_account"),
                "cannot be combined with a transfer: the kept Basic account keeps its files \
                 (cannot_keep_account_and_transfer)",
            ));
        }
        if self.retain_team_shares && !self.keep_account {
            return Err(ConfigError::invalid(
                &k("retain_team_shares"),
                "needs `keep_account = true` (cannot_retain_shares_when_no_account_kept)",
            ));
        }
        if self.retain_team_shares && self.wipe_data {
            return Err(ConfigError::invalid(
                &k("retain_team_shares"),
                "needs `wipe_data = false` (cannot_retain_shares_when_data_wiped)",
            ));
        }
        for (key, value) in [
            ("transfer_dest", &self.transfer_dest),
            ("transfer_admin", &self.transfer_admin),
        ] {
            if let Some(v) = value {
                if v.trim().is_empty() || v.len() > 255 {
                    return Err(ConfigError::invalid(
                        &k(key),
                        "must be a member's e-mail or dbmid: id",
                    ));
                }
            }
        }
        if self.transfer_to != TransferTo::None && self.transfer_admin.is_none() {
            return Err(ConfigError::invalid(
                &k("transfer_admin"),
                "is required with a transfer: Dropbox reports transfer errors to this admin \
                 (unspecified_transfer_admin_id)",
            ));
        }
        if self.transfer_to == TransferTo::Member && self.transfer_dest.is_none() {
            return Err(ConfigError::invalid(
                &k("transfer_dest"),
                "is required with `transfer_to = \"member\"`",
            ));
        }
        if self.policy == DeprovisionPolicy::SuspendThenRemove && self.grace_period_secs == 0 {
            return Err(ConfigError::invalid(
                &k("grace_period_secs"),
                "must be more than 0 for suspend_then_remove (use policy = \"remove\" for at once)",
            ));
        }
        Ok(())
    }
}

fn default_grace() -> u64 {
    7 * 24 * 3600
}
fn yes() -> bool {
    true
}

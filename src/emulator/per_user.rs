//! Shared pieces of the batch routes that answer per user (secondary e-mails, custom quotas).

use dropbox_sdk::types::team::UserSelectorArg;
use serde_json::Value;

use super::args::{Selector, as_list, user_selector};
use super::members::find;
use super::state::Model;
use super::wire::ApiError;

/// The caller's selector as the SDK type, echoed in per-user results.
pub(crate) fn sdk_selector(sel: &Selector) -> UserSelectorArg {
    match sel {
        Selector::TeamMemberId(s) => UserSelectorArg::TeamMemberId(s.clone()),
        Selector::ExternalId(s) => UserSelectorArg::ExternalId(s.clone()),
        Selector::Email(s) => UserSelectorArg::Email(s.clone()),
    }
}

/// The team_member_id of a member who holds a seat (invited, active or suspended).
pub(crate) fn in_team(model: &Model, sel: &Selector) -> Option<String> {
    find(model, sel).filter(|id| model.member(id).is_some_and(|m| m.is_provisioned()))
}

/// Parses a `List(UserSelectorArg)` field value at `path`.
pub(crate) fn selectors(v: &Value, path: &str) -> Result<Vec<Selector>, ApiError> {
    as_list(v, path)?
        .iter()
        .enumerate()
        .map(|(i, s)| user_selector(s, &format!("{path}[{i}]")))
        .collect()
}

//! member_space_limits/set_custom_quota, remove_custom_quota and get_custom_quota.

use dropbox_sdk::types::team::{CustomQuotaResult, RemoveCustomQuotaResult, UserCustomQuotaResult};
use serde_json::Value;

use super::args::{Args, Selector, user_selector};
use super::per_user::{in_team, sdk_selector, selectors};
use super::state::Model;
use super::view::to_json;
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// team.stone `UserQuota = UInt32(min_value=2)`: the smallest custom quota in GB.
pub(crate) const MIN_QUOTA_GB: u32 = 2;

/// team.stone `CustomQuotaError.too_many_users`: at most 1000 users per call.
const MAX_USERS_PER_CALL: usize = 1000;

/// Reads `quota_gb` as a Stone `UserQuota`; a value under the minimum is a 400, as Stone validation is.
fn quota_gb(a: &Args<'_>) -> Result<u32, ApiError> {
    let path = a.path("quota_gb");
    let v = a.req("quota_gb")?;
    let n = v
        .as_u64()
        .ok_or_else(|| ApiError::arg(&path, format!("expected UInt32, got {v}")))?;
    let n = u32::try_from(n).map_err(|_| ApiError::arg(&path, format!("{n} is not a UInt32")))?;
    if n < MIN_QUOTA_GB {
        return Err(ApiError::arg(
            &path,
            format!("{n} is less than {MIN_QUOTA_GB}"),
        ));
    }
    Ok(n)
}

/// member_space_limits/set_custom_quota: all-or-nothing checks, then one result per user.
pub(crate) fn set_custom_quota(model: &mut Model, body: &Value) -> R {
    let a = Args::new(body, "", &["users_and_quotas"])?;
    let mut items: Vec<(Selector, u32)> = Vec::new();
    for (i, item) in a.req_list("users_and_quotas")?.iter().enumerate() {
        let u = Args::new(
            item,
            &format!("users_and_quotas[{i}]"),
            &["user", "quota_gb"],
        )?;
        items.push((
            user_selector(u.req("user")?, &u.path("user"))?,
            quota_gb(&u)?,
        ));
    }
    if items.len() > MAX_USERS_PER_CALL {
        return Err(ApiError::tag("too_many_users"));
    }
    let excluded = items
        .iter()
        .any(|(sel, _)| in_team(model, sel).is_some_and(|id| model.quota_excluded.contains(&id)));
    if excluded {
        return Err(ApiError::tag("some_users_are_excluded"));
    }
    let results: Vec<CustomQuotaResult> = items
        .into_iter()
        .map(|(sel, gb)| {
            let user = sdk_selector(&sel);
            match in_team(model, &sel).and_then(|id| model.member_mut(&id)) {
                Some(m) => {
                    m.custom_quota_gb = Some(gb);
                    CustomQuotaResult::Success(UserCustomQuotaResult::new(user).with_quota_gb(gb))
                }
                None => CustomQuotaResult::InvalidUser(user),
            }
        })
        .collect();
    Ok(to_json(&results))
}

/// The `users` of a `CustomQuotaUsersArg`, with the 1000-user cap.
fn users_arg(body: &Value) -> Result<Vec<Selector>, ApiError> {
    let a = Args::new(body, "", &["users"])?;
    let users = selectors(a.req("users")?, "users")?;
    if users.len() > MAX_USERS_PER_CALL {
        return Err(ApiError::tag("too_many_users"));
    }
    Ok(users)
}

/// member_space_limits/remove_custom_quota: removing an absent quota also succeeds.
pub(crate) fn remove_custom_quota(model: &mut Model, body: &Value) -> R {
    let results: Vec<RemoveCustomQuotaResult> = users_arg(body)?
        .into_iter()
        .map(|sel| {
            let user = sdk_selector(&sel);
            match in_team(model, &sel).and_then(|id| model.member_mut(&id)) {
                Some(m) => {
                    m.custom_quota_gb = None;
                    RemoveCustomQuotaResult::Success(user)
                }
                None => RemoveCustomQuotaResult::InvalidUser(user),
            }
        })
        .collect();
    Ok(to_json(&results))
}

/// member_space_limits/get_custom_quota: `quota_gb` only when the member has a custom quota.
pub(crate) fn get_custom_quota(model: &mut Model, body: &Value) -> R {
    let results: Vec<CustomQuotaResult> = users_arg(body)?
        .into_iter()
        .map(|sel| {
            let user = sdk_selector(&sel);
            match in_team(model, &sel).and_then(|id| model.member(&id)) {
                Some(m) => {
                    let mut r = UserCustomQuotaResult::new(user);
                    if let Some(gb) = m.custom_quota_gb {
                        r = r.with_quota_gb(gb);
                    }
                    CustomQuotaResult::Success(r)
                }
                None => CustomQuotaResult::InvalidUser(user),
            }
        })
        .collect();
    Ok(to_json(&results))
}

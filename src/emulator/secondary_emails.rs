//! members/secondary_emails/add, delete and resend_verification_emails: per-user, per-address results.

use dropbox_sdk::types::secondary_emails::SecondaryEmail as SdkSecondaryEmail;
use dropbox_sdk::types::team::{
    AddSecondaryEmailResult, AddSecondaryEmailsResult, DeleteSecondaryEmailResult,
    DeleteSecondaryEmailsResult, ResendSecondaryEmailResult, ResendVerificationEmailResult,
    UserAddResult, UserDeleteEmailsResult, UserDeleteResult, UserResendEmailsResult,
    UserResendResult, UserSecondaryEmailsResult,
};
use serde_json::Value;

use super::args::{Args, Selector, as_list, as_str, check_email, user_selector};
use super::per_user::{in_team, sdk_selector};
use super::state::{Model, SecondaryEmail};
use super::view::to_json;
use super::wire::ApiError;

type R = Result<Value, ApiError>;

/// team.stone `AddSecondaryEmailsError.too_many_emails`: at most 20 addresses per call.
const MAX_EMAILS_PER_CALL: usize = 20;

/// Secondary e-mails one member may hold before `reached_limit` [assume: the spec names no number].
pub(crate) const MAX_SECONDARY_PER_USER: usize = 10;

/// A parsed `List(UserSecondaryEmailsArg)`: each user with its addresses.
fn parse_users(body: &Value, list_field: &str) -> Result<Vec<(Selector, Vec<String>)>, ApiError> {
    let a = Args::new(body, "", &[list_field])?;
    let mut out = Vec::new();
    for (i, item) in a.req_list(list_field)?.iter().enumerate() {
        let path = format!("{list_field}[{i}]");
        let u = Args::new(item, &path, &["user", "secondary_emails"])?;
        let sel = user_selector(u.req("user")?, &u.path("user"))?;
        let mut emails = Vec::new();
        for (j, e) in as_list(u.req("secondary_emails")?, &u.path("secondary_emails"))?
            .iter()
            .enumerate()
        {
            let epath = format!("{}[{j}]", u.path("secondary_emails"));
            let e = as_str(e, &epath)?;
            check_email(&epath, &e)?;
            emails.push(e);
        }
        out.push((sel, emails));
    }
    Ok(out)
}

/// True when `email` is some other seat holder's (or recoverable member's) primary or secondary
/// address, or belongs to an account on another team.
fn taken_elsewhere(model: &Model, id: &str, email: &str) -> bool {
    let now = model.now();
    model
        .other_team_emails
        .contains(&email.to_ascii_lowercase())
        || model
            .members
            .iter()
            .filter(|o| o.id != id && o.reserves_identity(now))
            .any(|o| {
                o.email.eq_ignore_ascii_case(email)
                    || o.secondary_emails
                        .iter()
                        .any(|s| s.email.eq_ignore_ascii_case(email))
            })
}

/// The outcome of adding one address to member `id` (which exists).
fn add_one(model: &mut Model, id: &str, email: &str) -> AddSecondaryEmailResult {
    let Some(m) = model.member(id) else {
        return AddSecondaryEmailResult::UnknownError(email.into());
    };
    let own = m
        .secondary_emails
        .iter()
        .find(|s| s.email.eq_ignore_ascii_case(email));
    if m.email.eq_ignore_ascii_case(email) || own.is_some_and(|s| s.verified) {
        return AddSecondaryEmailResult::AlreadyOwnedByUser(email.into());
    }
    if own.is_some() {
        return AddSecondaryEmailResult::AlreadyPending(email.into());
    }
    if taken_elsewhere(model, id, email) {
        return AddSecondaryEmailResult::Unavailable(email.into());
    }
    if m.secondary_emails.len() >= MAX_SECONDARY_PER_USER {
        return AddSecondaryEmailResult::ReachedLimit(email.into());
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    let verified = domain.is_some_and(|d| model.verified_domains.contains(&d));
    if let Some(m) = model.member_mut(id) {
        m.secondary_emails.push(SecondaryEmail {
            email: email.to_string(),
            verified,
            // An address outside the verified domains gets a verification mail.
            mails_sent: u32::from(!verified),
        });
    }
    AddSecondaryEmailResult::Success(SdkSecondaryEmail::new(email.into(), verified))
}

/// members/secondary_emails/add: the team switch and the 20-address cap first, then per user and address.
pub(crate) fn add(model: &mut Model, body: &Value) -> R {
    let users = parse_users(body, "new_secondary_emails")?;
    if !model.secondary_emails_enabled {
        return Err(ApiError::tag("secondary_emails_disabled"));
    }
    if users.iter().map(|(_, e)| e.len()).sum::<usize>() > MAX_EMAILS_PER_CALL {
        return Err(ApiError::tag("too_many_emails"));
    }
    let mut results = Vec::new();
    for (sel, emails) in users {
        let user = sdk_selector(&sel);
        let Some(id) = in_team(model, &sel) else {
            results.push(UserAddResult::InvalidUser(user));
            continue;
        };
        if !model.member(&id).is_some_and(|m| m.email_verified) {
            results.push(UserAddResult::Unverified(user));
            continue;
        }
        let per_email = emails.iter().map(|e| add_one(model, &id, e)).collect();
        results.push(UserAddResult::Success(UserSecondaryEmailsResult::new(
            user, per_email,
        )));
    }
    Ok(to_json(&AddSecondaryEmailsResult::new(results)))
}

/// members/secondary_emails/delete: the primary address cannot go; unknown addresses are `not_found`.
pub(crate) fn delete(model: &mut Model, body: &Value) -> R {
    let users = parse_users(body, "emails_to_delete")?;
    let mut results = Vec::new();
    for (sel, emails) in users {
        let user = sdk_selector(&sel);
        let Some(m) = in_team(model, &sel).and_then(|id| model.member_mut(&id)) else {
            results.push(UserDeleteResult::InvalidUser(user));
            continue;
        };
        let per_email = emails
            .into_iter()
            .map(|e| {
                if m.email.eq_ignore_ascii_case(&e) {
                    return DeleteSecondaryEmailResult::CannotRemovePrimary(e);
                }
                let before = m.secondary_emails.len();
                m.secondary_emails
                    .retain(|s| !s.email.eq_ignore_ascii_case(&e));
                if m.secondary_emails.len() < before {
                    DeleteSecondaryEmailResult::Success(e)
                } else {
                    DeleteSecondaryEmailResult::NotFound(e)
                }
            })
            .collect();
        results.push(UserDeleteResult::Success(UserDeleteEmailsResult::new(
            user, per_email,
        )));
    }
    Ok(to_json(&DeleteSecondaryEmailsResult::new(results)))
}

/// members/secondary_emails/resend_verification_emails: only pending (unverified) addresses get a mail.
pub(crate) fn resend_verification(model: &mut Model, body: &Value) -> R {
    let users = parse_users(body, "emails_to_resend")?;
    let mut results = Vec::new();
    for (sel, emails) in users {
        let user = sdk_selector(&sel);
        let Some(m) = in_team(model, &sel).and_then(|id| model.member_mut(&id)) else {
            results.push(UserResendResult::InvalidUser(user));
            continue;
        };
        let per_email = emails
            .into_iter()
            .map(|e| {
                let pending = m
                    .secondary_emails
                    .iter_mut()
                    .find(|s| s.email.eq_ignore_ascii_case(&e) && !s.verified);
                match pending {
                    Some(s) => {
                        s.mails_sent += 1;
                        ResendSecondaryEmailResult::Success(e)
                    }
                    None => ResendSecondaryEmailResult::NotPending(e),
                }
            })
            .collect();
        results.push(UserResendResult::Success(UserResendEmailsResult::new(
            user, per_email,
        )));
    }
    Ok(to_json(&ResendVerificationEmailResult::new(results)))
}

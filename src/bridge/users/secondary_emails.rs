//! Secondary e-mails (issue 14): non-primary SCIM `emails` of a configured type become Dropbox
//! secondary e-mails, and Dropbox's list is what `GET /Users/{id}` and listings show back.
//!
//! A write compares what the user wants with the member's `profile.secondary_emails`: one
//! `members/secondary_emails/delete` for the removed addresses, one `members/secondary_emails/add` for
//! the new ones, none when nothing changes. Dropbox answers per address; the refused ones make the
//! request a 400 `invalidValue` that names them, after the valid ones were applied. A retry after a
//! lost reply finds `already_owned_by_user`/`already_pending` (add) or `not_found` (delete), which
//! count as done, so nothing is applied twice. Off (`[secondary_emails] enabled = false`) nothing here
//! runs and `emails` stay stored-only.

use super::mapping::DropboxFields;
use crate::bridge::errors::from_dropbox;
use crate::bridge::{Bridge, BridgeError, Refusal, WriteContext};
use crate::config::SecondaryEmailsConfig;
use crate::dropbox::team::{
    AddSecondaryEmailResult, AddSecondaryEmailsArg, DeleteSecondaryEmailResult,
    DeleteSecondaryEmailsArg, TeamMemberProfile, UserAddResult, UserDeleteResult,
    UserSecondaryEmailsArg, UserSelectorArg,
};
use crate::scim::error::ScimError;
use crate::scim::resource::{MultiValue, ScimUser};
use dropbox_sdk::types::secondary_emails::SecondaryEmail;

/// team.stone `AddSecondaryEmailsError.too_many_emails`: at most 20 addresses in one add call. The
/// bridge makes one add call per write, so a user may want at most this many secondary e-mails.
pub(crate) const MAX_SECONDARY_EMAILS: usize = 20;

/// The addresses `user` wants as Dropbox secondary e-mails: its non-primary `emails` of a configured
/// type, other than the login address, without repeats (case-insensitive), in the IdP's order.
pub(crate) fn wanted(cfg: &SecondaryEmailsConfig, user: &ScimUser) -> Vec<String> {
    let login = DropboxFields::of(user).email;
    let mut out: Vec<String> = Vec::new();
    for e in &user.emails {
        let v = e.value.trim();
        let secondary = !e.primary && cfg.maps_type(e.kind.as_deref());
        if secondary && !v.eq_ignore_ascii_case(&login) && !contains(&out, v) {
            out.push(v.to_owned());
        }
    }
    out
}

/// What one write changes: the addresses to delete and to add.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Held in Dropbox, no longer wanted.
    pub delete: Vec<String>,
    /// Wanted, not held in Dropbox.
    pub add: Vec<String>,
}

impl Plan {
    /// The difference between `profile`'s secondary e-mails and `wanted`; refuses more than
    /// [`MAX_SECONDARY_EMAILS`] before any call.
    pub(crate) fn of(profile: &TeamMemberProfile, wanted: &[String]) -> Result<Self, ScimError> {
        if wanted.len() > MAX_SECONDARY_EMAILS {
            return Err(ScimError::invalid_value(format!(
                "{} secondary e-mails (non-primary `emails` of the types in [secondary_emails] \
                 types); Dropbox takes at most {MAX_SECONDARY_EMAILS}. No secondary e-mail was \
                 changed; the other changes of this request were applied",
                wanted.len()
            )));
        }
        let held = held(profile);
        Ok(Self {
            delete: held
                .iter()
                .filter(|h| !contains(wanted, h))
                .cloned()
                .collect(),
            add: wanted
                .iter()
                .filter(|w| !contains(&held, w))
                .cloned()
                .collect(),
        })
    }

    /// Nothing to do.
    pub(crate) fn is_empty(&self) -> bool {
        self.delete.is_empty() && self.add.is_empty()
    }
}

/// The member's secondary e-mails in Dropbox.
fn held(profile: &TeamMemberProfile) -> Vec<String> {
    profile
        .secondary_emails
        .iter()
        .flatten()
        .map(|s| s.email.clone())
        .collect()
}

fn contains(list: &[String], v: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(v))
}

/// Whether `e` is shown as a secondary e-mail (a non-primary value of a configured type that is not
/// the login).
fn is_secondary(cfg: &SecondaryEmailsConfig, e: &MultiValue, login: &str) -> bool {
    !e.primary && cfg.maps_type(e.kind.as_deref()) && !e.value.trim().eq_ignore_ascii_case(login)
}

/// Read-back: the rendered `user` shows Dropbox's secondary e-mails in `emails`. Verified and
/// unverified ones alike (SCIM has no verification flag): the IdP's own entry keeps its type, an
/// address only Dropbox holds gets the first configured type. For a member who can hold secondary
/// e-mails (verified login), a stored address Dropbox does not hold (refused) is not shown; for an
/// invitee, the stored addresses are shown until they can be added.
pub(crate) fn show_secondary_emails(
    cfg: &SecondaryEmailsConfig,
    user: &mut ScimUser,
    profile: &TeamMemberProfile,
) {
    if !cfg.enabled {
        return;
    }
    let held = held(profile);
    if profile.email_verified {
        user.emails
            .retain(|e| !is_secondary(cfg, e, &profile.email) || contains(&held, e.value.trim()));
    }
    for h in held {
        if !user
            .emails
            .iter()
            .any(|e| e.value.trim().eq_ignore_ascii_case(&h))
        {
            user.emails.push(MultiValue {
                value: h,
                kind: Some(cfg.shown_type().to_owned()),
                primary: false,
            });
        }
    }
}

/// Addresses Dropbox refused, with why (Dropbox's result tag and what it means).
type Refused = Vec<(String, &'static str)>;

/// The per-address add result: `Ok(Some(verified))` when the address is (now) held — a repeat
/// after a lost reply answers `already_owned_by_user` or `already_pending` —, `Err` with the reason.
fn add_outcome(r: &AddSecondaryEmailResult) -> Result<SecondaryEmail, (String, &'static str)> {
    #[allow(deprecated)]
    match r {
        AddSecondaryEmailResult::Success(s) => Ok(s.clone()),
        AddSecondaryEmailResult::AlreadyOwnedByUser(e) => Ok(SecondaryEmail::new(e.clone(), true)),
        AddSecondaryEmailResult::AlreadyPending(e) => Ok(SecondaryEmail::new(e.clone(), false)),
        AddSecondaryEmailResult::Unavailable(e) => Err((
            e.clone(),
            "unavailable: another member or account already uses it",
        )),
        AddSecondaryEmailResult::ReachedLimit(e) => Err((
            e.clone(),
            "reached_limit: the member holds the most secondary e-mails Dropbox allows",
        )),
        AddSecondaryEmailResult::RateLimited(e) => Err((
            e.clone(),
            "rate_limited: too many e-mails sent to this address, retry later",
        )),
        AddSecondaryEmailResult::TooManyUpdates(e) | AddSecondaryEmailResult::TransientError(e) => {
            Err((
                e.clone(),
                "too_many_updates: conflicting updates, retry later",
            ))
        }
        AddSecondaryEmailResult::UnknownError(e) => {
            Err((e.clone(), "unknown_error: Dropbox gave no reason"))
        }
        _ => Err((String::new(), "a result the bridge does not know")),
    }
}

/// The 400 that names each refused address and says the rest was applied.
fn refused_error(refused: &Refused) -> BridgeError {
    let list: Vec<String> = refused
        .iter()
        .map(|(e, why)| format!("{e} ({why})"))
        .collect();
    ScimError::invalid_value(format!(
        "Dropbox refused {} secondary e-mail(s): {}. The valid secondary e-mails and the other \
         changes of this request were applied; send the user again without (or with corrected) \
         addresses",
        refused.len(),
        list.join("; ")
    ))
    .into()
}

impl Bridge {
    /// Brings the member's Dropbox secondary e-mails to what `desired` wants: at most one delete and
    /// one add call, none when nothing changes or when the member cannot hold any yet (an invitee:
    /// Dropbox answers `unverified`; the addresses are added at the first write after joining).
    /// Returns the profile as it now is (also mirrored); per-address refusals are a 400 naming them.
    pub(crate) async fn sync_secondary_emails(
        &self,
        ctx: &WriteContext,
        mut profile: TeamMemberProfile,
        desired: &ScimUser,
    ) -> Result<TeamMemberProfile, BridgeError> {
        let cfg = &self.settings().secondary_emails;
        if !cfg.enabled {
            return Ok(profile);
        }
        let plan = Plan::of(&profile, &wanted(cfg, desired))?;
        if plan.is_empty() || !profile.email_verified {
            return Ok(profile);
        }
        let mut refused = Refused::new();
        let result = self
            .apply_secondary_plan(ctx, &mut profile, &plan, &mut refused)
            .await;
        if profile.secondary_emails.as_ref().is_some_and(Vec::is_empty) {
            profile.secondary_emails = None;
        }
        self.mirror_member(&profile).await?;
        result?;
        if refused.is_empty() {
            return Ok(profile);
        }
        tracing::warn!(
            request_id = %ctx.request_id,
            member = %profile.team_member_id,
            refused = refused.len(),
            "Dropbox refused some secondary e-mails; the others were applied"
        );
        Err(refused_error(&refused))
    }

    /// The delete call, then the add call (a freed slot can take a new address); `profile` follows.
    async fn apply_secondary_plan(
        &self,
        ctx: &WriteContext,
        profile: &mut TeamMemberProfile,
        plan: &Plan,
        refused: &mut Refused,
    ) -> Result<(), BridgeError> {
        let user = UserSelectorArg::TeamMemberId(profile.team_member_id.clone());
        let list = profile.secondary_emails.get_or_insert_with(Vec::new);
        if !plan.delete.is_empty() {
            let arg = DeleteSecondaryEmailsArg::new(vec![UserSecondaryEmailsArg::new(
                user.clone(),
                plan.delete.clone(),
            )]);
            let res = self
                .dropbox_for(ctx)
                .members_secondary_emails_delete(&arg)
                .await;
            for r in res.map_err(from_dropbox)?.results {
                let per_address = match r {
                    UserDeleteResult::Success(s) => s.results,
                    UserDeleteResult::InvalidUser(_) => return Err(Refusal::MemberNotFound.into()),
                    _ => return Err(unknown("delete")),
                };
                for a in per_address {
                    // A repeat after a lost reply answers not_found: gone either way.
                    if let DeleteSecondaryEmailResult::Success(e)
                    | DeleteSecondaryEmailResult::NotFound(e)
                    | DeleteSecondaryEmailResult::CannotRemovePrimary(e) = a
                    {
                        list.retain(|s| !s.email.eq_ignore_ascii_case(&e));
                    }
                }
            }
        }
        if plan.add.is_empty() {
            return Ok(());
        }
        let arg =
            AddSecondaryEmailsArg::new(vec![UserSecondaryEmailsArg::new(user, plan.add.clone())]);
        let res = self
            .dropbox_for(ctx)
            .members_secondary_emails_add(&arg)
            .await;
        let res = res.map_err(|e| {
            if e.has_tag("secondary_emails_disabled") {
                ScimError::invalid_value(
                    "Dropbox refused: secondary e-mails are disabled for this team (admin console, \
                     Settings); no secondary e-mail was added, the other changes of this request \
                     were applied. Turn them on, or set [secondary_emails] enabled = false in the \
                     bridge",
                )
                .into()
            } else {
                from_dropbox(e)
            }
        })?;
        for r in res.results {
            let per_address = match r {
                UserAddResult::Success(s) => s.results,
                // The login is not verified yet: nothing added, tried again at the next write.
                UserAddResult::Unverified(_) => return Ok(()),
                UserAddResult::InvalidUser(_) => return Err(Refusal::MemberNotFound.into()),
                UserAddResult::PlaceholderUser(_) => {
                    for a in &plan.add {
                        refused.push((a.clone(), "placeholder_user: the member cannot hold any"));
                    }
                    return Ok(());
                }
                _ => return Err(unknown("add")),
            };
            for a in &per_address {
                match add_outcome(a) {
                    Ok(s) if !list.iter().any(|h| h.email.eq_ignore_ascii_case(&s.email)) => {
                        list.push(s);
                    }
                    Ok(_) => {}
                    Err(why) => refused.push(why),
                }
            }
        }
        Ok(())
    }
}

/// A per-user result this SDK does not name: reported as a Dropbox failure, not guessed at.
fn unknown(call: &str) -> BridgeError {
    BridgeError::Internal(format!(
        "members/secondary_emails/{call} answered a per-user result the bridge does not know"
    ))
}

#[cfg(test)]
#[path = "secondary_emails_tests.rs"]
mod tests;

//! `GET /Users` and `POST /Users/.search`: exact look-ups go to Dropbox live; everything else reads the
//! team mirror, refreshed from `members/list_v2` (1,000 per call) when older than the configured age.

use super::mapping::user_from_invite;
use super::mapping::user_from_member;
use crate::bridge::errors::from_dropbox;
use crate::bridge::limits;
use crate::bridge::paging::ListPage;
use crate::bridge::{Bridge, BridgeError};
use crate::dropbox::team::{
    MembersListArg, MembersListContinueArg, TeamMemberProfile, TeamMemberStatus, UserSelectorArg,
};
use crate::scim::filter::{CompValue, CompareOp, Filter, matches};
use crate::scim::list::ListQuery;
use crate::scim::resource::{GroupRef, ScimUser};
use crate::scim::schema::{USER_URN, user_schema};
use crate::store::{InactiveInvite, MirrorMember, UserExtras};
use std::collections::{HashMap, HashSet};

impl Bridge {
    /// Lists users matching the query, one page of it.
    pub async fn list_users(&self, query: &ListQuery) -> Result<ListPage<ScimUser>, BridgeError> {
        if let Some(selector) = query.filter.as_ref().and_then(exact_selector) {
            let found = match selector {
                Exact::Nothing => None,
                Exact::Id(id) => self.find_by_id(&id, false).await?,
                Exact::Selector(s) => self.find_by_selector(s, false).await?,
            };
            let mut items = Vec::new();
            if let Some(found) = found {
                let user = self.render(&found, true).await?;
                // A member found by e-mail may carry a different userName (a UPN): filter exactly.
                if matches(filter_of(query), &user.to_json(""), user_schema()) {
                    items.push(user);
                }
            }
            return Ok(ListPage::window_of(items, query, self.page_size()));
        }
        let (mut candidates, extras) = self.candidates().await?;
        candidates.sort_by(|a, b| a.key.cmp(&b.key));
        let Some(filter) = &query.filter else {
            // Without a filter only the requested window is rendered: an Okta import of N users
            // in pages of 100 parses each mirrored profile once, not once per page.
            let total = candidates.len();
            let window = query.window(total, self.page_size());
            let mut items = Vec::with_capacity(window.len());
            for c in &candidates[window] {
                items.push(c.render(&extras)?);
            }
            self.complete_groups(&mut items).await?;
            return Ok(ListPage {
                items,
                total,
                start_index: query.start_index.max(1),
            });
        };
        let schema = user_schema();
        let mut users = Vec::new();
        for c in &candidates {
            let user = c.render(&extras)?;
            if matches(filter, &user.to_json(""), schema) {
                users.push(user);
            }
        }
        let mut page = ListPage::window_of(users, query, self.page_size());
        self.complete_groups(&mut page.items).await?;
        Ok(page)
    }

    /// Every user the IdP can see, unrendered: mirrored members (less deleted ones) plus deactivated
    /// invitations, each with the `userName` it sorts by, and the extras of all of them.
    async fn candidates(
        &self,
    ) -> Result<(Vec<Candidate>, HashMap<String, UserExtras>), BridgeError> {
        self.ensure_mirror_fresh().await?;
        let store = self.store();
        let rows = store.mirror_all().await?;
        let deleted: HashSet<String> = store
            .list_deleted_users()
            .await?
            .into_iter()
            .map(|d| d.scim_id)
            .collect();
        let alias_of: HashMap<String, String> = store
            .list_aliases()
            .await?
            .into_iter()
            .map(|(scim, member)| (member, scim))
            .collect();
        let invites = store.list_inactive_invites().await?;
        let mut ids: Vec<String> = Vec::with_capacity(rows.len() + invites.len());
        let mut members = Vec::with_capacity(rows.len());
        for row in rows {
            let scim_id = alias_of
                .get(&row.team_member_id)
                .cloned()
                .unwrap_or_else(|| row.team_member_id.clone());
            if !deleted.contains(&scim_id) {
                ids.push(scim_id.clone());
                members.push((scim_id, row));
            }
        }
        ids.extend(invites.iter().map(|i| i.scim_id.clone()));
        let extras = store.get_extras_many(&ids).await?;
        let user_name = |id: &str, fallback: &str| {
            extras
                .get(id)
                .and_then(|x| x.user_name.as_deref())
                .unwrap_or(fallback)
                .to_lowercase()
        };
        let mut out: Vec<Candidate> = members
            .into_iter()
            .map(|(id, row)| Candidate {
                key: (user_name(&id, &row.email_lower), id.clone()),
                source: Source::Member(id, row.profile),
            })
            .collect();
        out.extend(invites.into_iter().map(|inv| Candidate {
            key: (user_name(&inv.scim_id, &inv.email), inv.scim_id.clone()),
            source: Source::Invite(inv),
        }));
        Ok((out, extras))
    }

    /// Refreshes the mirror from `members/list_v2` when it is missing or older than the configured age.
    /// Concurrent callers wait for one refresh instead of each walking the team.
    pub(crate) async fn ensure_mirror_fresh(&self) -> Result<(), BridgeError> {
        let max_age = chrono::Duration::from_std(self.settings().mirror_max_age)
            .unwrap_or(chrono::Duration::MAX);
        let fresh = |at: Option<chrono::DateTime<chrono::Utc>>| {
            at.is_some_and(|t| chrono::Utc::now() - t < max_age)
        };
        if fresh(self.store().mirror_refreshed_at().await?) {
            return Ok(());
        }
        let _turn = self.inner.mirror_refresh.lock().await;
        if fresh(self.store().mirror_refreshed_at().await?) {
            return Ok(());
        }
        let started = chrono::Utc::now();
        let mut rows = Vec::new();
        let arg = MembersListArg::default().with_limit(1000);
        let mut result = self
            .dropbox()
            .members_list_v2(&arg)
            .await
            .map_err(from_dropbox)?;
        loop {
            for info in result.members.drain(..) {
                if !matches!(info.profile.status, TeamMemberStatus::Removed(_)) {
                    rows.push(mirror_row(&info.profile)?);
                }
            }
            if !result.has_more {
                break;
            }
            let next = MembersListContinueArg::new(result.cursor.clone());
            result = self
                .dropbox()
                .members_list_continue_v2(&next)
                .await
                .map_err(from_dropbox)?;
        }
        rows.sort_by(|a, b| a.email_lower.cmp(&b.email_lower));
        self.store().mirror_replace_all(&rows, started).await?;
        Ok(())
    }

    /// Puts one member's current profile into the mirror after a write (or takes it out).
    pub(crate) async fn mirror_member(
        &self,
        profile: &TeamMemberProfile,
    ) -> Result<(), BridgeError> {
        if matches!(profile.status, TeamMemberStatus::Removed(_)) {
            self.store().mirror_delete(&profile.team_member_id).await?;
        } else {
            self.store().mirror_upsert(&mirror_row(profile)?).await?;
        }
        Ok(())
    }
}

/// A mirror row for a member profile.
pub(crate) fn mirror_row(p: &TeamMemberProfile) -> Result<MirrorMember, BridgeError> {
    let status = match &p.status {
        TeamMemberStatus::Active => "active",
        TeamMemberStatus::Invited => "invited",
        TeamMemberStatus::Suspended => "suspended",
        TeamMemberStatus::Removed(_) => "removed",
    };
    Ok(MirrorMember {
        team_member_id: p.team_member_id.clone(),
        email_lower: p.email.to_lowercase(),
        external_id: p.external_id.clone(),
        status: status.to_owned(),
        profile: serde_json::to_string(p).map_err(|source| BridgeError::Json {
            what: "profile not serialisable",
            source,
        })?,
    })
}

fn filter_of(query: &ListQuery) -> &Filter {
    static ALWAYS: std::sync::OnceLock<Filter> = std::sync::OnceLock::new();
    query.filter.as_ref().unwrap_or_else(|| {
        ALWAYS.get_or_init(|| Filter::Present(crate::scim::filter::AttrPath::new("id")))
    })
}

/// An exact look-up that Dropbox answers directly.
enum Exact {
    Nothing,
    Id(String),
    Selector(UserSelectorArg),
}

/// `userName eq "x"`, `externalId eq "x"` or `id eq "x"` (any case, optionally URN-qualified).
fn exact_selector(filter: &Filter) -> Option<Exact> {
    let Filter::Compare {
        path,
        op: CompareOp::Eq,
        value: CompValue::Str(value),
    } = filter
    else {
        return None;
    };
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(USER_URN))
    {
        return None;
    }
    if refused_address(path, value) {
        return Some(Exact::Nothing);
    }
    if path.sub_attr.is_some() {
        return None;
    }
    match path.attr.to_ascii_lowercase().as_str() {
        // A value Dropbox would refuse as a selector cannot match anyone: answer an empty list
        // (Entra's "Test connection" filters on a random GUID) instead of sending a bad request.
        // A userName that is not an e-mail lives only in the store: the mirror path answers it.
        "username" if limits::check_email("userName", value).is_err() => None,
        "externalid" if limits::check_external_id(value).is_err() => Some(Exact::Nothing),
        "username" => Some(Exact::Selector(UserSelectorArg::Email(value.clone()))),
        "externalid" => Some(Exact::Selector(UserSelectorArg::ExternalId(value.clone()))),
        "id" => Some(Exact::Id(value.clone())),
        _ => None,
    }
}

/// `userName` (written as an e-mail) or `emails.value` compared with an address Dropbox's pattern
/// refuses: writes refuse such an address, so nobody has it, and Dropbox is not asked.
fn refused_address(path: &crate::scim::filter::AttrPath, value: &str) -> bool {
    let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
    let holds_email = match (path.attr.to_ascii_lowercase().as_str(), sub.as_deref()) {
        ("username", None) => value.contains('@'),
        ("emails", None | Some("value")) => true,
        _ => false,
    };
    holds_email && limits::check_email("userName", value).is_err()
}

/// A user found for a listing, rendered only when it is in the page or a filter needs it.
struct Candidate {
    key: (String, String),
    source: Source,
}

enum Source {
    /// A mirrored member: SCIM id and the profile JSON.
    Member(String, String),
    /// A deactivated invitation.
    Invite(InactiveInvite),
}

impl Candidate {
    fn render(&self, extras: &HashMap<String, UserExtras>) -> Result<ScimUser, BridgeError> {
        Ok(match &self.source {
            Source::Member(id, json) => {
                let profile: TeamMemberProfile =
                    serde_json::from_str(json).map_err(|source| BridgeError::Json {
                        what: "mirror row unreadable",
                        source,
                    })?;
                let mut user = user_from_member(id, &profile, extras.get(id));
                user.groups = profile
                    .groups
                    .iter()
                    .map(|g| GroupRef {
                        value: g.clone(),
                        display: None,
                    })
                    .collect();
                user
            }
            Source::Invite(inv) => user_from_invite(inv, extras.get(&inv.scim_id)),
        })
    }
}

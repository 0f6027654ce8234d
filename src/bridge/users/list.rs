//! `GET /Users` and `POST /Users/.search`: exact look-ups go to Dropbox live; everything else pages in
//! SQL over the team mirror (see `mirror_refresh`), merged with the few deactivated invitations.
//!
//! The part of the filter the mirror's columns answer runs in SQL; a residual is evaluated on rendered
//! users while streaming the mirror in chunks, never holding the whole team.

use super::listing_cache::Counts;
use super::mapping::{user_from_invite, user_from_member};
use crate::bridge::limits;
use crate::bridge::paging::ListPage;
use crate::bridge::{Bridge, BridgeError};
use crate::dropbox::team::{TeamMemberProfile, UserSelectorArg};
use crate::scim::filter::sql::{self, Dialect, SqlWhere};
use crate::scim::filter::{CompValue, CompareOp, Filter, matches};
use crate::scim::list::ListQuery;
use crate::scim::resource::{GroupRef, ScimUser};
use crate::scim::schema::{USER_URN, user_schema};
use crate::store::{ListKey, MirrorMember, UserExtras};

/// Mirror rows read per query while evaluating a residual filter.
const STREAM_CHUNK: i64 = 500;

impl Bridge {
    /// Lists users matching the query, one page of it.
    pub async fn list_users(&self, query: &ListQuery) -> Result<ListPage<ScimUser>, BridgeError> {
        if let Some(selector) = query.filter.as_ref().and_then(exact_selector) {
            let found = match selector {
                Exact::Nothing => None,
                Exact::Id(id) => self.lookup_by_id(&id).await?,
                Exact::Selector(s) => self.lookup_by_selector(s).await?,
            };
            let mut items = Vec::new();
            if let Some((found, extras)) = found {
                let user = self.render_with(&found, extras.as_ref(), true).await?;
                // A member found by e-mail may carry a different userName (a UPN): filter exactly.
                let filter = filter_of(query);
                if matches(filter, &user.to_filter_json(filter), user_schema()) {
                    items.push(user);
                }
            }
            return Ok(ListPage::window_of(items, query, self.page_size()));
        }
        // The listing paths' futures are boxed: kept inline they would make every request's future,
        // exact look-ups included, as large as the largest path (about 12 KB), copied on each move.
        Box::pin(self.ensure_mirror_fresh()).await?;
        let dialect = match self.store().backend_name() {
            "postgres" => Dialect::Postgres,
            _ => Dialect::Sqlite,
        };
        let split = query.filter.as_ref().map(|f| sql::split(f, dialect));
        let (pushed, residual) = split.map_or((None, None), |s| (s.pushed, s.residual));
        let invites = self.listed_invites(query.filter.as_ref()).await?;
        let mut page = match residual {
            None => Box::pin(self.page_in_sql(query, pushed.as_ref(), invites)).await?,
            Some(rest) => {
                Box::pin(self.page_streamed(query, pushed.as_ref(), &rest, invites)).await?
            }
        };
        self.complete_groups(&mut page.items).await?;
        Ok(page)
    }

    /// Deactivated invitations matching the filter, rendered, in listing order.
    async fn listed_invites(
        &self,
        filter: Option<&Filter>,
    ) -> Result<Vec<(ListKey, ScimUser)>, BridgeError> {
        let mut out: Vec<(ListKey, ScimUser)> = Vec::new();
        for (inv, extras) in self.store().inactive_invites_with_extras().await? {
            let mut user = user_from_invite(&inv, extras.as_ref());
            if filter.is_some_and(Filter::reads_meta) {
                // `meta.version` covers the held groups, which a listing adds after filtering.
                self.complete_groups(std::slice::from_mut(&mut user))
                    .await?;
            }
            if filter.is_none_or(|f| matches(f, &user.to_filter_json(f), user_schema())) {
                out.push(((user.user_name.to_lowercase(), inv.scim_id), user));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// A page when SQL answers the whole filter: counted once per listing version, read by key.
    async fn page_in_sql(
        &self,
        query: &ListQuery,
        pushed: Option<&SqlWhere>,
        invites: Vec<(ListKey, ScimUser)>,
    ) -> Result<ListPage<ScimUser>, BridgeError> {
        let store = self.store();
        let cache = &self.inner.listing;
        let version = store.listing_version().await?;
        let memo_key = query
            .filter
            .as_ref()
            .map(Filter::to_string)
            .unwrap_or_default();
        let counts = match cache.counts(version, &memo_key) {
            Some(c) => c,
            None => {
                let members = store.mirror_count(pushed, None).await? as usize;
                let mut invite_ranks = Vec::with_capacity(invites.len());
                for (key, _) in &invites {
                    invite_ranks.push(store.mirror_count(pushed, Some(key)).await? as usize);
                }
                let c = Counts {
                    members,
                    invite_ranks,
                };
                cache.put_counts(version, &memo_key, c.clone());
                c
            }
        };
        let total = counts.members + invites.len();
        let window = query.window(total, self.page_size());
        let start_index = query.start_index.max(1);
        if window.is_empty() {
            return Ok(ListPage {
                items: Vec::new(),
                total,
                start_index,
            });
        }
        // Invitation j sits at position rank_j + j of the merged listing.
        let invite_at: Vec<usize> = (0..invites.len())
            .map(|j| {
                counts
                    .invite_ranks
                    .get(j)
                    .copied()
                    .unwrap_or(counts.members)
                    + j
            })
            .collect();
        let invites_before = invite_at.iter().filter(|p| **p < window.start).count();
        let limit = window.len() as i64;
        let rows = match cache.key_before(version, &memo_key, window.start) {
            Some(after) => store.mirror_list(pushed, Some(&after), 0, limit).await?,
            None => {
                let offset = (window.start - invites_before) as i64;
                store.mirror_list(pushed, None, offset, limit).await?
            }
        };
        let mut members = rows.into_iter();
        let mut invites = invites.into_iter().enumerate().peekable();
        let mut items = Vec::with_capacity(window.len());
        let mut last_key = None;
        for position in window.clone() {
            while invites
                .peek()
                .is_some_and(|(j, _)| invite_at[*j] < position)
            {
                invites.next();
            }
            let (key, user) = match invites.next_if(|(j, _)| invite_at[*j] == position) {
                Some((_, (key, user))) => (key, user),
                None => match members.next() {
                    Some((row, extras)) => listed_member(row, extras.as_ref(), self.settings())?,
                    None => break,
                },
            };
            last_key = Some(key);
            items.push(user);
        }
        if let Some(key) = last_key {
            cache.put_key_before(version, &memo_key, window.start + items.len(), key);
        }
        Ok(ListPage {
            items,
            total,
            start_index,
        })
    }

    /// A page when part of the filter is left for Rust: streams the SQL-matched members in chunks,
    /// keeps only the requested window, counts every match.
    async fn page_streamed(
        &self,
        query: &ListQuery,
        pushed: Option<&SqlWhere>,
        residual: &Filter,
        invites: Vec<(ListKey, ScimUser)>,
    ) -> Result<ListPage<ScimUser>, BridgeError> {
        let schema = user_schema();
        let start = query.start_index.max(1) - 1;
        let wanted = query.count.unwrap_or(self.page_size());
        let mut items = Vec::new();
        let mut total = 0usize;
        let mut keep = |user: ScimUser, total: &mut usize| {
            if *total >= start && items.len() < wanted {
                items.push(user);
            }
            *total += 1;
        };
        let mut invites = invites.into_iter().peekable();
        let mut after: Option<ListKey> = None;
        loop {
            let chunk = self
                .store()
                .mirror_list(pushed, after.as_ref(), 0, STREAM_CHUNK)
                .await?;
            let done = (chunk.len() as i64) < STREAM_CHUNK;
            for (row, extras) in chunk {
                let (key, mut user) = listed_member(row, extras.as_ref(), self.settings())?;
                if residual.reads_meta() {
                    // `meta.version` covers the group names, which a listing adds after filtering.
                    self.complete_groups(std::slice::from_mut(&mut user))
                        .await?;
                }
                while let Some((_, inv)) = invites.next_if(|(k, _)| *k < key) {
                    keep(inv, &mut total);
                }
                if matches(residual, &user.to_filter_json(residual), schema) {
                    keep(user, &mut total);
                }
                after = Some(key);
            }
            if done {
                break;
            }
        }
        for (_, inv) in invites {
            keep(inv, &mut total);
        }
        Ok(ListPage {
            items,
            total,
            start_index: query.start_index.max(1),
        })
    }
}

/// A mirrored member as listed: its listing key and the rendered user (groups by id).
fn listed_member(
    row: MirrorMember,
    extras: Option<&UserExtras>,
    settings: &crate::bridge::BridgeSettings,
) -> Result<(ListKey, ScimUser), BridgeError> {
    let profile: TeamMemberProfile =
        serde_json::from_str(&row.profile).map_err(|source| BridgeError::Json {
            what: "mirror row unreadable",
            source,
        })?;
    let mut user = user_from_member(&row.scim_id, &profile, extras);
    super::secondary_emails::show_secondary_emails(&settings.secondary_emails, &mut user, &profile);
    user.groups = profile
        .groups
        .iter()
        .map(|g| GroupRef {
            value: g.clone(),
            display: None,
        })
        .collect();
    Ok(((row.sort_key, row.scim_id), user))
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

//! Group reads: one group, filtered listings, and the groups of one member.

use std::collections::{BTreeSet, HashMap};

use super::{GroupHead, PAGE};
use crate::bridge::Bridge;
use crate::bridge::errors::{BridgeError, from_dropbox};
use crate::bridge::paging::ListPage;
use crate::dropbox::team::{GroupsListArg, GroupsListContinueArg};
use crate::scim::filter::{Filter, matches};
use crate::scim::list::{ListQuery, SortOrder};
use crate::scim::resource::{GroupRef, ScimGroup};
use crate::scim::schema::group_schema;

/// Whether evaluating `f` needs the groups' members.
fn mentions_members(f: &Filter) -> bool {
    match f {
        Filter::Compare { path, .. } | Filter::Present(path) => {
            path.attr.eq_ignore_ascii_case("members")
        }
        Filter::ValuePath { attr, .. } => attr.attr.eq_ignore_ascii_case("members"),
        Filter::And(a, b) | Filter::Or(a, b) => mentions_members(a) || mentions_members(b),
        Filter::Not(a) => mentions_members(a),
    }
}

/// The stable listing order: name (case-insensitive), then id.
fn sort_key(g: &GroupHead) -> (String, String) {
    (g.name.to_lowercase(), g.id.clone())
}

impl Bridge {
    /// `GET /Groups/{id}`: `groups/get_info`, plus `groups/members/list` pages when members are wanted.
    pub async fn get_group(
        &self,
        id: &str,
        include_members: bool,
    ) -> Result<ScimGroup, BridgeError> {
        let head = self.group_head(None, id).await?;
        let members = if include_members {
            let listed = self.group_members(None, id).await?;
            self.id_map().await?.render(listed)
        } else {
            Vec::new()
        };
        self.with_times(head.to_scim(members)).await
    }

    /// Every group's name by id (`groups/list` + `continue`), for the group-name cache.
    pub(in crate::bridge) async fn all_group_names(
        &self,
    ) -> Result<HashMap<String, String>, BridgeError> {
        let heads = self.all_groups().await?;
        Ok(heads.into_iter().map(|h| (h.id, h.name)).collect())
    }

    /// Every group of the team (`groups/list` + `continue`), without members.
    pub(super) async fn all_groups(&self) -> Result<Vec<GroupHead>, BridgeError> {
        let mut page = self
            .dropbox()
            .groups_list(&GroupsListArg::default().with_limit(PAGE))
            .await
            .map_err(from_dropbox)?;
        let mut out: Vec<GroupHead> = page.groups.iter().map(GroupHead::from).collect();
        while page.has_more {
            let arg = GroupsListContinueArg::new(page.cursor.clone());
            page = self
                .dropbox()
                .groups_list_continue(&arg)
                .await
                .map_err(from_dropbox)?;
            out.extend(page.groups.iter().map(GroupHead::from));
        }
        Ok(out)
    }

    /// `GET /Groups`: lists all groups, evaluates the filter on their SCIM form, and answers one page
    /// in a stable order (name, then id). Members are listed only for the page, and only when
    /// wanted, or for every group when the filter tests `members`.
    pub async fn list_groups(
        &self,
        query: &ListQuery,
        include_members: bool,
    ) -> Result<ListPage<ScimGroup>, BridgeError> {
        let listed_at = std::time::Instant::now();
        let mut heads = self.all_groups().await?;
        // The same walk fills the group-name cache, so user reads after an import skip their own.
        let names = heads.iter().map(|h| (h.id.clone(), h.name.clone()));
        self.group_names().replace(names.collect(), listed_at);
        let ids = self.id_map().await?;
        heads.sort_by_key(sort_key);
        if matches!(query.sort_order, Some(SortOrder::Descending)) && query.sort_by.is_some() {
            heads.reverse();
        }
        let mut groups: Vec<ScimGroup> = Vec::with_capacity(heads.len());
        let base = "";
        match &query.filter {
            None => groups.extend(heads.iter().map(|h| h.to_scim(Vec::new()))),
            Some(f) => {
                let with_members = mentions_members(f);
                for h in &heads {
                    let members = if with_members {
                        ids.render(self.group_members(None, &h.id).await?)
                    } else {
                        Vec::new()
                    };
                    let g = h.to_scim(members);
                    if matches(f, &g.to_json(base), group_schema()) {
                        groups.push(g);
                    }
                }
            }
        }
        let total = groups.len();
        let window = query.window(total, self.page_size());
        let mut items: Vec<ScimGroup> = groups.drain(window).collect();
        for g in &mut items {
            match (include_members, g.id.clone()) {
                (true, Some(id)) if g.members.is_empty() => {
                    g.members = ids.render(self.group_members(None, &id).await?);
                }
                (false, _) => g.members.clear(),
                _ => {}
            }
        }
        let items = self.with_times_all(items).await?;
        Ok(ListPage {
            items,
            total,
            start_index: query.start_index.max(1),
        })
    }

    /// The groups a member belongs to, for the User's read-only `groups`: one `members/get_info_v2`
    /// gives the group ids, the group-name cache their names.
    pub async fn groups_of_member(
        &self,
        team_member_id: &str,
    ) -> Result<Vec<GroupRef>, BridgeError> {
        let ids = BTreeSet::from([team_member_id.to_owned()]);
        let found = self.lookup_members(None, &ids).await?;
        // A removed or unknown member belongs to no group; the caller decides whether the user exists.
        let Some(member) = found.get(team_member_id) else {
            return Ok(Vec::new());
        };
        self.group_refs(&member.groups).await
    }
}

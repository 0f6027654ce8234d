//! Group reads: one group, filtered listings, and the groups of one member.

use std::collections::BTreeSet;

use super::{GroupHead, PAGE};
use crate::bridge::Bridge;
use crate::bridge::errors::{BridgeError, from_dropbox};
use crate::bridge::paging::ListPage;
use crate::dropbox::team::{
    GroupsGetInfoItem, GroupsListArg, GroupsListContinueArg, GroupsSelector,
};
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
        Ok(head.to_scim(members))
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
        let mut heads = self.all_groups().await?;
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
        Ok(ListPage {
            items,
            total,
            start_index: query.start_index.max(1),
        })
    }

    /// The groups a member belongs to, for the User's read-only `groups`. Two calls whatever the
    /// team's size: `members/get_info_v2` gives the group ids, `groups/get_info` their names
    /// (a `groups/list` walk would cost one call per 1000 groups and still lack membership).
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

    /// Names the given groups (`groups/get_info`, one call), sorted by name. For callers that already
    /// hold a member's `profile.groups`, this saves the `members/get_info_v2` of [`Self::groups_of_member`].
    pub(crate) async fn group_refs(
        &self,
        group_ids: &[String],
    ) -> Result<Vec<GroupRef>, BridgeError> {
        if group_ids.is_empty() {
            return Ok(Vec::new());
        }
        let arg = GroupsSelector::GroupIds(group_ids.to_vec());
        let items = self
            .dropbox()
            .groups_get_info(&arg)
            .await
            .map_err(from_dropbox)?;
        let mut refs: Vec<GroupRef> = items
            .iter()
            .filter_map(|item| match item {
                GroupsGetInfoItem::GroupInfo(g) => Some(GroupRef {
                    value: g.group_id.clone(),
                    display: Some(g.group_name.clone()),
                }),
                GroupsGetInfoItem::IdNotFound(_) => None,
            })
            .collect();
        refs.sort_by(|a, b| a.display.cmp(&b.display).then(a.value.cmp(&b.value)));
        Ok(refs)
    }
}

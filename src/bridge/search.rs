//! `POST /.search` at the service root (RFC 7644 section 3.4.3): one query over Users and Groups.

use super::paging::ListPage;
use super::{Bridge, BridgeError};
use crate::scim::list::ListQuery;
use crate::scim::resource::{ScimGroup, ScimUser};

/// One resource found by a root search.
#[derive(Debug)]
pub enum SearchHit {
    /// A user.
    User(Box<ScimUser>),
    /// A group (without members).
    Group(ScimGroup),
}

impl Bridge {
    /// Runs the query against both resource types and pages over the combined results: users hold
    /// positions 1 to U of the combined listing and groups U+1 onwards, so each type is asked only for
    /// its part of the requested window (at any `startIndex`, however large the team).
    pub async fn search_all(&self, query: &ListQuery) -> Result<ListPage<SearchHit>, BridgeError> {
        let page_size = self.page_size();
        let start = query.start_index.max(1);
        let count = query.count.unwrap_or(page_size).min(page_size);
        let mut users_query = query.clone();
        users_query.start_index = start;
        users_query.count = Some(count);
        let users = Box::pin(self.list_users(&users_query)).await?;
        let mut groups_query = query.clone();
        // Past the last user, the window continues into the groups.
        groups_query.start_index = start.saturating_sub(users.total).max(1);
        groups_query.count = Some(count.saturating_sub(users.items.len()));
        let groups = Box::pin(self.list_groups(&groups_query, false)).await?;
        let items = users
            .items
            .into_iter()
            .map(|u| SearchHit::User(Box::new(u)))
            .chain(groups.items.into_iter().map(SearchHit::Group))
            .collect();
        Ok(ListPage {
            items,
            total: users.total + groups.total,
            start_index: start,
        })
    }
}

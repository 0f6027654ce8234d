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
    /// Runs the query against both resource types and pages over the combined results (users first).
    pub async fn search_all(&self, query: &ListQuery) -> Result<ListPage<SearchHit>, BridgeError> {
        let page_size = self.page_size();
        let mut everything = query.clone();
        everything.start_index = 1;
        everything.count = Some(page_size);
        let users = self.list_users(&everything).await?;
        let groups = self.list_groups(&everything, false).await?;
        let total = users.total + groups.total;
        let all: Vec<SearchHit> = users
            .items
            .into_iter()
            .map(|u| SearchHit::User(Box::new(u)))
            .chain(groups.items.into_iter().map(SearchHit::Group))
            .collect();
        Ok(ListPage {
            total,
            ..ListPage::window_of(all, query, page_size)
        })
    }
}

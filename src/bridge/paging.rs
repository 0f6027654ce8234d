//! Paging shared by every listing: one page size for `/Users`, `/Groups`, `/.search` and discovery.

use crate::scim::list::ListQuery;

/// The page size when the IdP sends no `count`, and the largest `count` a page answers; the
/// ServiceProviderConfig advertises it as `filter.maxResults`.
pub const PAGE_SIZE: usize = 1000;

/// One page of a listing: the resources of the requested window and the total count.
#[derive(Debug)]
pub struct ListPage<T> {
    /// The resources in the window.
    pub items: Vec<T>,
    /// All matches, not only this page.
    pub total: usize,
    /// The 1-based index of the first item.
    pub start_index: usize,
}

impl<T> ListPage<T> {
    /// The window `query` asks for out of all matches (in listing order), `page_size` when it sets no `count`.
    pub(crate) fn window_of(items: Vec<T>, query: &ListQuery, page_size: usize) -> Self {
        let total = items.len();
        let window = query.window(total, page_size);
        let items = items
            .into_iter()
            .skip(window.start)
            .take(window.len())
            .collect();
        Self {
            items,
            total,
            start_index: query.start_index.max(1),
        }
    }
}

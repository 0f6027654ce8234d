//! SCIM Users over Dropbox team members: mapping, look-ups, listings and the write lifecycle.

mod apply;
mod create;
mod delete;
mod list;
mod lookup;
mod mapping;

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

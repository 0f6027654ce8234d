//! Concurrent exact look-ups share `members/get_info_v2` calls (a read: not in any audit record).

use std::sync::Arc;

use super::{RunBatch, duplicate, wrong_count};
use crate::bridge::Bridge;
use crate::dropbox::team::{
    MembersGetInfoError, MembersGetInfoItemV2, MembersGetInfoV2Arg, UserSelectorArg,
};
use crate::dropbox::{DropboxClient, DropboxError, ErrorKind};

const ROUTE: &str = "members/get_info_v2";

/// One selector to look up.
pub(crate) type InfoItem = UserSelectorArg;

/// One selector's item of a shared `members/get_info_v2` (`id_not_found` included), or the call's
/// failure.
pub(crate) type InfoOutcome = Result<MembersGetInfoItemV2, DropboxError<MembersGetInfoError>>;

/// The shared call: one `members/get_info_v2` for the whole batch through `dropbox`.
pub(super) fn run(dropbox: DropboxClient) -> RunBatch<InfoItem, InfoOutcome> {
    Arc::new(move |items: Vec<InfoItem>| {
        let dropbox = dropbox.clone();
        Box::pin(async move { info_batch(&dropbox, items).await })
    })
}

async fn info_batch(dropbox: &DropboxClient, selectors: Vec<InfoItem>) -> Vec<InfoOutcome> {
    let sent = selectors.len();
    let result = dropbox
        .members_get_info_v2(&MembersGetInfoV2Arg::new(selectors.clone()))
        .await;
    match result {
        Ok(r) if r.members_info.len() == sent => r.members_info.into_iter().map(Ok).collect(),
        Ok(r) => (0..sent)
            .map(|_| Err(wrong_count(ROUTE, r.members_info.len(), sent)))
            .collect(),
        // A selector Dropbox refuses fails the whole request with a 400 and nothing else: each
        // selector is asked again alone, so only that one fails.
        Err(e) if sent > 1 && matches!(e.kind, ErrorKind::BadRequest(_)) => {
            let alone = selectors.into_iter().map(|s| info_alone(dropbox, s));
            futures::future::join_all(alone).await
        }
        Err(e) => (0..sent).map(|_| Err(duplicate(&e))).collect(),
    }
}

/// `members/get_info_v2` for one selector.
async fn info_alone(dropbox: &DropboxClient, selector: UserSelectorArg) -> InfoOutcome {
    let r = dropbox
        .members_get_info_v2(&MembersGetInfoV2Arg::new(vec![selector]))
        .await?;
    let got = r.members_info.len();
    r.members_info
        .into_iter()
        .next()
        .filter(|_| got == 1)
        .ok_or_else(|| wrong_count(ROUTE, got, 1))
}

impl Bridge {
    /// Looks one selector up through a `members/get_info_v2` shared with concurrent look-ups (or
    /// alone when coalescing is off).
    pub(crate) async fn member_info_item(&self, selector: UserSelectorArg) -> InfoOutcome {
        let Some(batcher) = &self.inner.coalesce.lookups else {
            // Boxed: the call's future (retries included) stays out of the shared path's.
            return Box::pin(info_alone(self.dropbox(), selector)).await;
        };
        batcher.submit(selector).await.unwrap_or_else(|| {
            Err(DropboxError::new(
                ROUTE,
                ErrorKind::Decode("the shared members/get_info_v2 ended without a result".into()),
            ))
        })
    }
}

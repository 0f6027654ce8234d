//! Concurrent invitations share `members/add_v2` calls; each request's audit record lists the shared
//! call, with the call's outcome, as if it had made it alone.

use std::sync::Arc;

use super::{RunBatch, duplicate, wrong_count};
use crate::bridge::{Bridge, WriteContext};
use crate::dropbox::team::{MemberAddV2Arg, MemberAddV2Result, MembersAddV2Arg};
use crate::dropbox::{DropboxClient, DropboxError, ErrorKind, NoRouteError};

const ROUTE: &str = "members/add_v2";

/// One member to invite, with the handle that records calls in its request's audit record.
pub(crate) struct AddItem {
    member: MemberAddV2Arg,
    recorder: DropboxClient,
}

/// One member's result of a shared `members/add_v2` (with its job polled to the end), or the call's
/// failure.
pub(crate) type AddOutcome = Result<MemberAddV2Result, DropboxError<NoRouteError>>;

/// The shared call: one `members/add_v2` for the whole batch through `dropbox`.
pub(super) fn run(dropbox: DropboxClient) -> RunBatch<AddItem, AddOutcome> {
    Arc::new(move |items: Vec<AddItem>| {
        let dropbox = dropbox.clone();
        Box::pin(async move { add_batch(&dropbox, items).await })
    })
}

async fn add_batch(dropbox: &DropboxClient, items: Vec<AddItem>) -> Vec<AddOutcome> {
    let sent = items.len();
    let (members, recorders): (Vec<MemberAddV2Arg>, Vec<DropboxClient>) =
        items.into_iter().map(|i| (i.member, i.recorder)).unzip();
    let result = dropbox
        .add_members_wait(&MembersAddV2Arg::new(members.clone()))
        .await;
    for r in &recorders {
        r.record_shared(ROUTE, &result);
    }
    match result {
        Ok(results) if results.len() == sent => results.into_iter().map(Ok).collect(),
        Ok(results) => (0..sent)
            .map(|_| Err(wrong_count(ROUTE, results.len(), sent)))
            .collect(),
        // A 400 refuses the request's shape before anything is done (one member Dropbox's checks
        // refuse): each member is sent again alone, so only that one fails, with its own answer.
        Err(e) if sent > 1 && matches!(e.kind, ErrorKind::BadRequest(_)) => {
            let alone = members
                .into_iter()
                .zip(recorders)
                .map(|(m, r)| async move { add_alone(&r, m).await });
            futures::future::join_all(alone).await
        }
        Err(e) => (0..sent).map(|_| Err(duplicate(&e))).collect(),
    }
}

/// `members/add_v2` for one member through a recording handle.
async fn add_alone(recorder: &DropboxClient, member: MemberAddV2Arg) -> AddOutcome {
    let results = recorder
        .add_members_wait(&MembersAddV2Arg::new(vec![member]))
        .await?;
    let got = results.len();
    results
        .into_iter()
        .next()
        .filter(|_| got == 1)
        .ok_or_else(|| wrong_count(ROUTE, got, 1))
}

impl Bridge {
    /// Invites one member through a `members/add_v2` shared with concurrent invitations (or alone
    /// when coalescing is off); the call is recorded in `ctx`'s audit record.
    pub(crate) async fn add_member_shared(
        &self,
        ctx: &WriteContext,
        member: MemberAddV2Arg,
    ) -> AddOutcome {
        let recorder = self.dropbox_for(ctx);
        let Some(batcher) = &self.inner.coalesce.creates else {
            return add_alone(&recorder, member).await;
        };
        batcher
            .submit(AddItem { member, recorder })
            .await
            .unwrap_or_else(|| {
                Err(DropboxError::new(
                    ROUTE,
                    ErrorKind::Decode("the shared members/add_v2 ended without a result".into()),
                ))
            })
    }
}

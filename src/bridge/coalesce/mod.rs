//! Coalescing: concurrent requests share Dropbox calls that take a list.
//!
//! * `creates`: concurrent `POST /Users` (and re-invitations) share `members/add_v2` calls, at most
//!   20 members each (the spec's limit); each request gets its own item's result, so one refused
//!   e-mail fails only its own request.
//! * `lookups`: concurrent exact look-ups (`userName eq`, `externalId eq`, `id eq`, `GET /Users/{id}`,
//!   the read before a `PUT`/`PATCH`/`DELETE`) share `members/get_info_v2` calls.
//! * `batcher`: the generic part: a batch leaves when full, or when the window opened by its first
//!   item ends (`coalesce.window_ms`, a few milliseconds), so a lone request waits at most that long.
//!   Under load (a provisioning wave), a batch whose window ends waits on while the recent arrival
//!   rate says it will fill by `coalesce.max_wait_ms`: fewer, fuller calls against Dropbox's rate
//!   limit, for a bounded wait. A batch whose call would wait for the rate budget (or a 429 pause)
//!   waits in the batcher instead, still open, so that each call the budget lets through is full.
//!
//! A failure of the shared call (rate limit, 5xx, lost reply) reaches every request of the batch, each
//! of which resolves it as it would alone (a lost `add_v2` reply is resolved by a look-up, itself
//! coalesced). A batch is one HTTP call: a 429 retry re-sends the batch once, not once per member.

mod batcher;
mod creates;
mod lookups;

pub(crate) use batcher::{Batcher, BudgetHold, RunBatch, Windows};
pub(crate) use creates::AddOutcome;
pub(crate) use lookups::InfoOutcome;

use crate::dropbox::{DropboxClient, DropboxError, ErrorKind};
use std::sync::Arc;

/// The most items one shared call carries: `members/add_v2` takes at most 20 members (team.stone);
/// `members/get_info_v2` states no limit, and the same bound keeps its requests small.
pub const MAX_BATCH: usize = 20;

/// The batchers of one bridge; `None` when coalescing is off (`coalesce.window_ms = 0`).
pub(crate) struct Coalescer {
    creates: Option<Batcher<creates::AddItem, AddOutcome>>,
    lookups: Option<Batcher<lookups::InfoItem, InfoOutcome>>,
}

impl Coalescer {
    /// Batchers that make their shared calls through `dropbox` (an unrecorded handle), waiting for
    /// company as `windows` say.
    pub(crate) fn new(dropbox: &DropboxClient, windows: Windows) -> Self {
        if windows.lone.is_zero() {
            return Self {
                creates: None,
                lookups: None,
            };
        }
        let budget = dropbox.clone();
        let hold = BudgetHold {
            wait: Arc::new(move || budget.budget_wait()),
            longest: dropbox.budget_max_wait(),
        };
        Self {
            creates: Some(
                Batcher::new(creates::run(dropbox.clone()), windows, MAX_BATCH)
                    .holding_for_budget(hold.clone()),
            ),
            lookups: Some(
                Batcher::new(lookups::run(dropbox.clone()), windows, MAX_BATCH)
                    .holding_for_budget(hold),
            ),
        }
    }
}

/// A copy of a failed shared call's error for each request of the batch.
fn duplicate<E: Clone>(e: &DropboxError<E>) -> DropboxError<E> {
    let kind = match &e.kind {
        ErrorKind::Api(a) => ErrorKind::Api(a.clone()),
        ErrorKind::RateLimited => ErrorKind::RateLimited,
        ErrorKind::Auth(s) => ErrorKind::Auth(s.clone()),
        ErrorKind::TokenRefresh(s) => ErrorKind::TokenRefresh(s.clone()),
        ErrorKind::AccessDenied(s) => ErrorKind::AccessDenied(s.clone()),
        ErrorKind::BadRequest(s) => ErrorKind::BadRequest(s.clone()),
        ErrorKind::Server(s) => ErrorKind::Server(s.clone()),
        ErrorKind::Transport(s) => ErrorKind::Transport(s.clone()),
        ErrorKind::Decode(s) => ErrorKind::Decode(s.clone()),
        ErrorKind::JobFailed(s) => ErrorKind::JobFailed(s.clone()),
        ErrorKind::JobDeadline => ErrorKind::JobDeadline,
    };
    DropboxError {
        kind,
        route: e.route,
        status: e.status,
        request_id: e.request_id.clone(),
        retry_after: e.retry_after,
        required_scope: e.required_scope.clone(),
    }
}

/// The error every request of a batch gets when the shared call answered the wrong number of items.
fn wrong_count<E>(route: &'static str, got: usize, sent: usize) -> DropboxError<E> {
    DropboxError::new(
        route,
        ErrorKind::Decode(format!("{got} results for {sent} items")),
    )
}

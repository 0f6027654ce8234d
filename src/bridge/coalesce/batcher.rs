//! A generic batcher: items submitted by concurrent requests are gathered into one batch, which
//! leaves when it is full or when the window opened by its first item ends; each submitter gets the
//! output at its own position back. When the window ends while requests arrive fast enough to fill
//! the batch within the longer busy window, the batch waits on for them. When its call would wait
//! for the rate budget anyway, the batch waits here instead, still taking items.

use crate::telemetry::request::{self, RequestStats, RequestSummary};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use futures::future::BoxFuture;
use tokio::sync::oneshot;

/// The shared call behind a batch: one output per item, in the items' order.
pub(crate) type RunBatch<I, O> = Arc<dyn Fn(Vec<I>) -> BoxFuture<'static, Vec<O>> + Send + Sync>;

/// How long a batch waits for company.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    /// From its first item, what a batch waits when requests are not arriving fast.
    pub(crate) lone: Duration,
    /// From its first item, the longest a batch waits while the arrival rate says it will fill.
    pub(crate) busy: Duration,
}

/// How long a departing batch's call would wait for the rate budget now (zero: it would go at
/// once), and the longest a batch may be held for it in all.
#[derive(Clone)]
pub(crate) struct BudgetHold {
    /// The wait a call made now would have.
    pub(crate) wait: Arc<dyn Fn() -> Duration + Send + Sync>,
    /// From its first item, the longest a batch is held for the budget.
    pub(crate) longest: Duration,
}

/// Items waiting for their batch to leave, and which batch they belong to.
struct Pending<I, O> {
    items: Vec<(I, oneshot::Sender<(O, RequestSummary)>)>,
    /// Bumped each time a batch leaves, so that a late timer never takes the next batch early.
    generation: u64,
    /// When the latest `max` items arrived (any batch), for the arrival rate.
    arrivals: VecDeque<Instant>,
}

/// Gathers concurrent items into batches of at most `max` and runs each batch once.
pub(crate) struct Batcher<I, O> {
    pending: Arc<Mutex<Pending<I, O>>>,
    run: RunBatch<I, O>,
    windows: Windows,
    max: usize,
    hold: Option<BudgetHold>,
}

/// What a submission must do after adding its item.
enum Next<I, O> {
    /// The batch is full: send it now.
    Send(Vec<(I, oneshot::Sender<O>)>),
    /// The item opened a batch: send it when the window ends.
    Arm(u64),
    /// Another submission already arranged the batch's departure.
    Wait,
}

impl<I: Send + 'static, O: Send + 'static> Batcher<I, O> {
    /// A batcher running `run` for batches of at most `max` items, waiting as `windows` say.
    pub(crate) fn new(run: RunBatch<I, O>, windows: Windows, max: usize) -> Self {
        let max = max.max(1);
        Self {
            pending: Arc::new(Mutex::new(Pending {
                items: Vec::new(),
                generation: 0,
                arrivals: VecDeque::with_capacity(max),
            })),
            run,
            windows,
            max,
            hold: None,
        }
    }

    /// A batch whose call would wait for the rate budget when its window ends waits in the batcher
    /// instead, where requests arriving meanwhile join it: under a rate limit, each call the budget
    /// lets through carries as many items as have come by then, not the few of one window.
    pub(crate) fn holding_for_budget(mut self, hold: BudgetHold) -> Self {
        self.hold = Some(hold);
        self
    }

    /// Adds `item` to the forming batch and waits for its output; `None` if the batch's task ended
    /// without one (a bug or a panic in the shared call).
    pub(crate) async fn submit(&self, item: I) -> Option<O> {
        let (tx, rx) = oneshot::channel();
        let next = {
            let mut p = lock(&self.pending);
            p.items.push((item, tx));
            if p.arrivals.len() >= self.max {
                p.arrivals.pop_front();
            }
            p.arrivals.push_back(Instant::now());
            if p.items.len() >= self.max {
                p.generation += 1;
                Next::Send(std::mem::take(&mut p.items))
            } else if p.items.len() == 1 {
                Next::Arm(p.generation)
            } else {
                Next::Wait
            }
        };
        match next {
            Next::Send(batch) => {
                tokio::spawn(run_batch(self.run.clone(), batch));
            }
            Next::Arm(generation) => {
                // The batch's own task: it outlives a submitter whose client hung up, so the
                // others still get their answers.
                let (pending, run) = (self.pending.clone(), self.run.clone());
                let rules = Departure {
                    windows: self.windows,
                    max: self.max,
                    hold: self.hold.clone(),
                };
                tokio::spawn(depart(pending, run, generation, rules));
            }
            Next::Wait => {}
        }
        let (out, calls) = rx.await.ok()?;
        // The shared call ran in the batch's own task: its calls, retries and 429s go on the log
        // line of every request it served too (the metrics count them once in all).
        request::add_to_current(&calls);
        Some(out)
    }
}

/// When a batch that did not fill may leave.
struct Departure {
    windows: Windows,
    max: usize,
    hold: Option<BudgetHold>,
}

impl Departure {
    /// How much longer a batch opened at `opened` stays open, or `None` when it leaves now.
    fn wait(
        &self,
        arrivals: &VecDeque<Instant>,
        items: usize,
        opened: Instant,
    ) -> Option<Duration> {
        let now = Instant::now();
        let missing = self.max.saturating_sub(items);
        if let Some(wait) = time_to_fill(arrivals, missing, now) {
            if now + wait <= opened + self.windows.busy {
                return Some(wait);
            }
        }
        let hold = self.hold.as_ref()?;
        let wait = (hold.wait)();
        (!wait.is_zero() && now + wait <= opened + hold.longest).then_some(wait)
    }
}

/// Sends batch `generation` when its window ends, or later while it is expected to fill in time or
/// its call would wait for the rate budget; does nothing if it left full meanwhile.
async fn depart<I, O>(
    pending: Arc<Mutex<Pending<I, O>>>,
    run: RunBatch<I, O>,
    generation: u64,
    rules: Departure,
) {
    let opened = Instant::now();
    tokio::time::sleep(rules.windows.lone).await;
    loop {
        let batch = {
            let mut p = lock(&pending);
            if p.generation != generation || p.items.is_empty() {
                return;
            }
            match rules.wait(&p.arrivals, p.items.len(), opened) {
                Some(wait) => Err(wait),
                None => {
                    p.generation += 1;
                    Ok(std::mem::take(&mut p.items))
                }
            }
        };
        match batch {
            Ok(batch) => return run_batch(run, batch).await,
            Err(wait) => tokio::time::sleep(wait.max(Duration::from_millis(1))).await,
        }
    }
}

/// How long `missing` more items take at the rate the recent ones came (counted up to `now`, so a
/// past burst does not count as a fast rate); `None` with too little history.
fn time_to_fill(arrivals: &VecDeque<Instant>, missing: usize, now: Instant) -> Option<Duration> {
    let oldest = arrivals.front()?;
    let seen = u32::try_from(arrivals.len()).ok().filter(|n| *n >= 2)?;
    let per_item = now.saturating_duration_since(*oldest) / seen;
    Some(per_item * u32::try_from(missing).ok()?)
}

/// Runs the shared call and hands each output to its submitter (one who left is skipped).
async fn run_batch<I, O>(
    run: RunBatch<I, O>,
    batch: Vec<(I, oneshot::Sender<(O, RequestSummary)>)>,
) {
    let (items, senders): (Vec<I>, Vec<_>) = batch.into_iter().unzip();
    let stats = Arc::new(RequestStats::default());
    let outputs = stats.scope(run(items)).await;
    let calls = stats.summary();
    for (tx, out) in senders.into_iter().zip(outputs) {
        let _ = tx.send((out, calls.clone()));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A lone window of `ms`, and no waiting on under load.
    fn lone(ms: u64) -> Windows {
        Windows {
            lone: Duration::from_millis(ms),
            busy: Duration::from_millis(ms),
        }
    }

    /// A batcher that doubles numbers and counts its calls and their sizes.
    fn doubler(windows: Windows, max: usize) -> (Batcher<u32, u32>, Arc<Mutex<Vec<usize>>>) {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let run: RunBatch<u32, u32> = Arc::new(move |items: Vec<u32>| {
            lock(&seen).push(items.len());
            Box::pin(async move { items.into_iter().map(|i| i * 2).collect() })
        });
        (Batcher::new(run, windows, max), sizes)
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_items_share_calls_of_at_most_max_and_get_their_own_output() {
        let (b, sizes) = doubler(lone(5), 20);
        let outs = futures::future::join_all((0..50).map(|i| b.submit(i))).await;
        let want: Vec<Option<u32>> = (0..50).map(|i| Some(i * 2)).collect();
        assert_eq!(outs, want);
        assert_eq!(*lock(&sizes), vec![20, 20, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_item_leaves_when_the_window_ends() {
        let (b, sizes) = doubler(lone(5), 20);
        let started = Instant::now();
        assert_eq!(b.submit(7).await, Some(14));
        assert_eq!(started.elapsed(), Duration::from_millis(5));
        assert_eq!(*lock(&sizes), vec![1]);
    }

    /// Submits one item at each of `at_ms` (from now) and answers the batch sizes.
    async fn arrivals(windows: Windows, max: usize, at_ms: &[u64]) -> Vec<usize> {
        let (b, sizes) = doubler(windows, max);
        let b = Arc::new(b);
        let start = Instant::now();
        let tasks: Vec<_> = at_ms
            .iter()
            .map(|ms| {
                let (b, at) = (b.clone(), start + Duration::from_millis(*ms));
                tokio::spawn(async move {
                    tokio::time::sleep_until(at).await;
                    b.submit(1).await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.ok().flatten(), Some(2));
        }
        lock(&sizes).clone()
    }

    #[tokio::test(start_paused = true)]
    async fn under_a_steady_stream_a_batch_waits_on_to_fill_within_the_busy_window() {
        let busy = Windows {
            lone: Duration::from_millis(2),
            busy: Duration::from_millis(20),
        };
        // One item a millisecond: the window ends with 2 of 4, the next 2 are 2 ms away.
        assert_eq!(arrivals(busy, 4, &[0, 1, 3, 4]).await, vec![4]);
        assert_eq!(arrivals(lone(2), 4, &[0, 1, 3, 4]).await, vec![2, 2]);
        // Too slow to fill by the busy window: it leaves when the lone window ends.
        assert_eq!(arrivals(busy, 4, &[0, 1, 30, 31]).await, vec![2, 2]);
        // A burst long past does not count as a fast rate for a lone item.
        assert_eq!(arrivals(busy, 4, &[0, 0, 0, 0, 100]).await, vec![4, 1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_whose_call_would_wait_for_the_budget_takes_the_items_that_come_meanwhile() {
        // A budget of one call per 50 ms: each call spends it, and the next waits its turn.
        let next_call = Arc::new(Mutex::new(Instant::now()));
        let (spent, free) = (next_call.clone(), next_call.clone());
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let run: RunBatch<u32, u32> = Arc::new(move |items: Vec<u32>| {
            let (spent, seen) = (spent.clone(), seen.clone());
            Box::pin(async move {
                let at = *lock(&spent);
                tokio::time::sleep_until(at).await;
                *lock(&spent) = Instant::now() + Duration::from_millis(50);
                lock(&seen).push(items.len());
                items.into_iter().map(|i| i * 2).collect()
            })
        });
        let hold = BudgetHold {
            wait: Arc::new(move || lock(&free).saturating_duration_since(Instant::now())),
            longest: Duration::from_secs(20),
        };
        let submit_every_10ms = |b: Batcher<u32, u32>| async move {
            let b = Arc::new(b);
            let start = Instant::now();
            let tasks: Vec<_> = (0..20u32)
                .map(|i| {
                    let (b, at) = (b.clone(), start + Duration::from_millis(10 * u64::from(i)));
                    tokio::spawn(async move {
                        tokio::time::sleep_until(at).await;
                        b.submit(i).await
                    })
                })
                .collect();
            for (i, t) in (0..20u32).zip(tasks) {
                assert_eq!(t.await.ok().flatten(), Some(i * 2), "item {i}");
            }
        };
        // Without the hold, every item leaves alone after its window and waits for the budget.
        submit_every_10ms(Batcher::new(run.clone(), lone(5), 20)).await;
        assert_eq!(lock(&sizes).len(), 20, "{:?}", lock(&sizes));
        lock(&sizes).clear();
        // Held while the budget has no call for it, each batch takes the 5 items of its 50 ms.
        submit_every_10ms(Batcher::new(run, lone(5), 20).holding_for_budget(hold)).await;
        let sizes = lock(&sizes).clone();
        assert!(sizes.len() <= 5, "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 20, "{sizes:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_is_not_held_for_the_budget_past_its_longest_wait() {
        let (b, sizes) = doubler(lone(5), 20);
        let b = b.holding_for_budget(BudgetHold {
            wait: Arc::new(|| Duration::from_secs(3)),
            longest: Duration::from_secs(10),
        });
        let started = Instant::now();
        assert_eq!(b.submit(7).await, Some(14));
        // Held 3 s at a time while that stays within 10 s of its first item: 5 ms + 3 x 3 s.
        assert_eq!(started.elapsed(), Duration::from_millis(9_005));
        assert_eq!(*lock(&sizes), vec![1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_timer_does_not_send_the_next_batch_early() {
        let (b, sizes) = doubler(lone(10), 2);
        let b = Arc::new(b);
        // Two items fill a batch at once; the first one's timer must not take the third item.
        let first = futures::future::join(b.submit(1), b.submit(2)).await;
        assert_eq!(first, (Some(2), Some(4)));
        tokio::time::sleep(Duration::from_millis(8)).await;
        let b2 = b.clone();
        let third = tokio::spawn(async move { b2.submit(3).await });
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(!third.is_finished(), "left with the earlier batch's timer");
        assert_eq!(third.await.ok().flatten(), Some(6));
        assert_eq!(*lock(&sizes), vec![2, 1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_that_answers_too_few_outputs_leaves_the_rest_without_one() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let run: RunBatch<u32, u32> = Arc::new(move |items: Vec<u32>| {
            counted.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { items.into_iter().take(1).collect() })
        });
        let b = Batcher::new(run, lone(1), 20);
        let outs = futures::future::join(b.submit(1), b.submit(2)).await;
        assert_eq!(outs, (Some(1), None));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

//! A generic batcher: items submitted by concurrent requests are gathered into one batch, which
//! leaves when it is full or when the window opened by its first item ends; each submitter gets the
//! output at its own position back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::oneshot;

/// The shared call behind a batch: one output per item, in the items' order.
pub(crate) type RunBatch<I, O> = Arc<dyn Fn(Vec<I>) -> BoxFuture<'static, Vec<O>> + Send + Sync>;

/// Items waiting for their batch to leave, and which batch they belong to.
struct Pending<I, O> {
    items: Vec<(I, oneshot::Sender<O>)>,
    /// Bumped each time a batch leaves, so that a late timer never takes the next batch early.
    generation: u64,
}

/// Gathers concurrent items into batches of at most `max` and runs each batch once.
pub(crate) struct Batcher<I, O> {
    pending: Arc<Mutex<Pending<I, O>>>,
    run: RunBatch<I, O>,
    window: Duration,
    max: usize,
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
    /// A batcher running `run` for batches of at most `max` items, waiting at most `window`.
    pub(crate) fn new(run: RunBatch<I, O>, window: Duration, max: usize) -> Self {
        Self {
            pending: Arc::new(Mutex::new(Pending {
                items: Vec::new(),
                generation: 0,
            })),
            run,
            window,
            max: max.max(1),
        }
    }

    /// Adds `item` to the forming batch and waits for its output; `None` if the batch's task ended
    /// without one (a bug or a panic in the shared call).
    pub(crate) async fn submit(&self, item: I) -> Option<O> {
        let (tx, rx) = oneshot::channel();
        let next = {
            let mut p = lock(&self.pending);
            p.items.push((item, tx));
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
                let (pending, run, window) = (self.pending.clone(), self.run.clone(), self.window);
                // The batch's own task: it outlives a submitter whose client hung up, so the
                // others still get their answers.
                tokio::spawn(async move {
                    tokio::time::sleep(window).await;
                    let batch = {
                        let mut p = lock(&pending);
                        if p.generation != generation || p.items.is_empty() {
                            return;
                        }
                        p.generation += 1;
                        std::mem::take(&mut p.items)
                    };
                    run_batch(run, batch).await;
                });
            }
            Next::Wait => {}
        }
        rx.await.ok()
    }
}

/// Runs the shared call and hands each output to its submitter (one who left is skipped).
async fn run_batch<I, O>(run: RunBatch<I, O>, batch: Vec<(I, oneshot::Sender<O>)>) {
    let (items, senders): (Vec<I>, Vec<oneshot::Sender<O>>) = batch.into_iter().unzip();
    let outputs = run(items).await;
    for (tx, out) in senders.into_iter().zip(outputs) {
        let _ = tx.send(out);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A batcher that doubles numbers and counts its calls and their sizes.
    fn doubler(window: Duration, max: usize) -> (Batcher<u32, u32>, Arc<Mutex<Vec<usize>>>) {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let run: RunBatch<u32, u32> = Arc::new(move |items: Vec<u32>| {
            lock(&seen).push(items.len());
            Box::pin(async move { items.into_iter().map(|i| i * 2).collect() })
        });
        (Batcher::new(run, window, max), sizes)
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_items_share_calls_of_at_most_max_and_get_their_own_output() {
        let (b, sizes) = doubler(Duration::from_millis(5), 20);
        let outs = futures::future::join_all((0..50).map(|i| b.submit(i))).await;
        let want: Vec<Option<u32>> = (0..50).map(|i| Some(i * 2)).collect();
        assert_eq!(outs, want);
        assert_eq!(*lock(&sizes), vec![20, 20, 10]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_item_leaves_when_the_window_ends() {
        let (b, sizes) = doubler(Duration::from_millis(5), 20);
        let started = tokio::time::Instant::now();
        assert_eq!(b.submit(7).await, Some(14));
        assert_eq!(started.elapsed(), Duration::from_millis(5));
        assert_eq!(*lock(&sizes), vec![1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_timer_does_not_send_the_next_batch_early() {
        let (b, sizes) = doubler(Duration::from_millis(10), 2);
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
        let b = Batcher::new(run, Duration::from_millis(1), 20);
        let outs = futures::future::join(b.submit(1), b.submit(2)).await;
        assert_eq!(outs, (Some(1), None));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

//! The budget on tokio's paused clock: waits are measured in virtual time, so they are exact.

use super::*;
use futures::future::BoxFuture;

fn budget(per_minute: u32, burst: u32, max_wait_secs: u64) -> Arc<RateBudget> {
    let config = RateBudgetConfig {
        per_minute,
        burst,
        lease: 1,
    };
    Arc::new(RateBudget::new(config, Duration::from_secs(max_wait_secs)))
}

/// One acquire made from inside [`background`], which sets the priority the budget sees.
async fn as_background(b: &RateBudget) -> Result<(), BudgetRefusal> {
    background(async { b.acquire(current_priority()).await }).await
}

#[tokio::test(start_paused = true)]
async fn the_bucket_gives_a_burst_then_calls_at_the_rate() {
    let b = budget(60, 5, 30);
    let start = Instant::now();
    for _ in 0..5 {
        b.acquire(Priority::Idp).await.expect("in the burst");
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "a burst does not wait");
    b.acquire(Priority::Idp).await.expect("after a refill");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(999) && waited <= Duration::from_millis(1001),
        "one call a second: {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_caller_until_retry_after() {
    let b = budget(600, 100, 30);
    b.pause(Duration::from_secs(5)).await;
    let start = Instant::now();
    let (idp, bg) = tokio::join!(b.acquire(Priority::Idp), as_background(&b));
    assert_eq!((idp, bg), (Ok(()), Ok(())));
    assert!(
        start.elapsed() >= Duration::from_secs(5),
        "nobody calls during the pause"
    );
    let status = b.status();
    assert_eq!(status.rate_limited, 1);
    assert_eq!(status.paused_for, None, "the pause is over");
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_max_retry_wait_is_refused_at_once_with_its_length() {
    let b = budget(600, 100, 2);
    b.pause(Duration::from_millis(7_200)).await;
    let start = Instant::now();
    let refused = b.acquire(Priority::Idp).await;
    assert_eq!(
        refused,
        Err(BudgetRefusal {
            wait: Duration::from_secs(8)
        })
    );
    assert_eq!(start.elapsed(), Duration::ZERO, "refused without waiting");

    // An empty bucket that refills too slowly is refused the same way.
    let slow = budget(6, 1, 2);
    slow.acquire(Priority::Idp)
        .await
        .expect("the one call of the burst");
    let refused = slow.acquire(Priority::Idp).await;
    assert_eq!(
        refused,
        Err(BudgetRefusal {
            wait: Duration::from_secs(10)
        })
    );
    assert_eq!(slow.status().refused, 1);
}

#[tokio::test(start_paused = true)]
async fn idp_calls_go_ahead_of_background_work() {
    let b = budget(60, 1, 30);
    b.acquire(Priority::Idp).await.expect("the burst");
    let order = Arc::new(Mutex::new(Vec::new()));
    let spawn = |name: &'static str, priority: Priority| {
        let (b, order) = (b.clone(), order.clone());
        tokio::spawn(async move {
            b.acquire(priority).await.expect("served within the wait");
            order.lock().unwrap_or_else(|p| p.into_inner()).push(name);
        })
    };
    // Background work asks first, then two IdP calls arrive: both are served before it.
    let bg = spawn("background", Priority::Background);
    tokio::task::yield_now().await;
    let idp1 = spawn("idp", Priority::Idp);
    let idp2 = spawn("idp", Priority::Idp);
    for task in [bg, idp1, idp2] {
        task.await.expect("task ran");
    }
    let order = order.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(order, ["idp", "idp", "background"]);
}

#[tokio::test(start_paused = true)]
async fn background_work_leaves_a_fifth_of_the_bucket_to_the_idp() {
    let b = budget(6, 5, 30);
    let start = Instant::now();
    for _ in 0..4 {
        as_background(&b).await.expect("above the reserve");
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    // The last call in the bucket is the IdP's: it goes at once, background waits for refills.
    b.acquire(Priority::Idp).await.expect("the reserve");
    assert_eq!(start.elapsed(), Duration::ZERO, "the IdP did not wait");
    as_background(&b).await.expect("after refills");
    assert!(
        start.elapsed() >= Duration::from_secs(20),
        "two refills of 10 s each: {:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn an_off_budget_still_pauses_after_a_429_and_counts_retries() {
    let b = budget(0, 0, 30);
    for _ in 0..1000 {
        b.acquire(Priority::Idp).await.expect("no budget");
    }
    b.count_retry();
    b.pause(Duration::from_secs(3)).await;
    assert_eq!(b.status().paused_for, Some(Duration::from_secs(3)));
    let start = Instant::now();
    b.acquire(Priority::Background)
        .await
        .expect("after the pause");
    assert!(start.elapsed() >= Duration::from_secs(3));
    let status = b.status();
    assert_eq!(
        (status.per_minute, status.retries, status.rate_limited),
        (0, 1, 1)
    );
}

/// A shared bucket in memory, standing in for the database in the lease logic.
#[derive(Debug, Default)]
struct MemoryBucket {
    left: Mutex<u32>,
    takes: AtomicU64,
}

impl SharedBucket for MemoryBucket {
    fn take(&self, want: u32, keep: u32, _now: SystemTime) -> BoxFuture<'_, Result<Lease, String>> {
        self.takes.fetch_add(1, Ordering::Relaxed);
        let mut left = self.left.lock().unwrap_or_else(|p| p.into_inner());
        let granted = want.min(left.saturating_sub(keep));
        *left -= granted;
        let lease = Lease {
            granted,
            left_milli: i64::from(*left) * 1000,
            paused_until: None,
        };
        Box::pin(async move { Ok(lease) })
    }

    fn pause_until(&self, _until: SystemTime) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test(start_paused = true)]
async fn a_shared_budget_is_taken_in_leases_and_refused_when_empty() {
    let config = RateBudgetConfig {
        per_minute: 6,
        burst: 10,
        lease: 4,
    };
    let b = RateBudget::new(config, Duration::from_secs(2));
    let bucket = Arc::new(MemoryBucket {
        left: Mutex::new(10),
        ..MemoryBucket::default()
    });
    b.share_through(bucket.clone());
    for _ in 0..10 {
        b.acquire(Priority::Idp)
            .await
            .expect("within the shared budget");
    }
    assert_eq!(
        bucket.takes.load(Ordering::Relaxed),
        3,
        "leases of 4, 4 and 2"
    );
    let refused = b.acquire(Priority::Idp).await;
    assert_eq!(
        refused,
        Err(BudgetRefusal {
            wait: Duration::from_secs(10)
        })
    );
    assert!(b.status().shared);
}

#[tokio::test(start_paused = true)]
async fn the_wait_for_a_call_is_told_without_taking_one() {
    let b = budget(60, 2, 30);
    for _ in 0..5 {
        assert_eq!(
            b.wait_for_call(Priority::Idp),
            Duration::ZERO,
            "a full bucket"
        );
    }
    b.acquire(Priority::Idp).await.expect("the burst");
    b.acquire(Priority::Idp)
        .await
        .expect("the burst, not spent by looking");
    assert_eq!(b.wait_for_call(Priority::Idp), Duration::from_secs(1));
    b.pause(Duration::from_secs(5)).await;
    assert_eq!(b.wait_for_call(Priority::Idp), Duration::from_secs(5));

    // A wait longer than max_retry_wait is told as none: the call will be refused at once.
    let slow = budget(6, 1, 2);
    slow.acquire(Priority::Idp).await.expect("the burst");
    assert_eq!(slow.wait_for_call(Priority::Idp), Duration::ZERO);
    assert_eq!(slow.status().refused, 0, "looking is not a refusal");

    // On a shared bucket, the wait is known once a lease came back empty.
    let shared = Arc::new(RateBudget::new(
        RateBudgetConfig {
            per_minute: 6,
            burst: 10,
            lease: 1,
        },
        Duration::from_secs(30),
    ));
    shared.share_through(Arc::new(MemoryBucket::default()));
    assert_eq!(
        shared.wait_for_call(Priority::Idp),
        Duration::ZERO,
        "not asked yet"
    );
    let waiting = tokio::spawn({
        let shared = shared.clone();
        async move { shared.acquire(Priority::Idp).await }
    });
    tokio::task::yield_now().await;
    assert_eq!(shared.wait_for_call(Priority::Idp), Duration::from_secs(10));
    waiting.abort();
}

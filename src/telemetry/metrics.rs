//! The Prometheus metrics of the process: counters fed by hooks as things happen, and the store's
//! gauges (removals by state, the mirror's age) read at scrape time. Served as `/metrics` in the
//! Prometheus text format (see `http::metrics` and the README's Metrics section).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// The `Content-Type` of a `/metrics` answer (Prometheus text format 0.0.4).
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Upper bounds, in seconds, of the request latency histogram's buckets.
const LATENCY_BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Labels of one answered SCIM request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

/// Labels of the latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

/// Labels of one Dropbox call: its route and `ok` or the error's tag.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    route: String,
    outcome: String,
}

/// Labels naming a Dropbox route only.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropboxRoute {
    route: String,
}

/// Labels of the removals gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric fed by hooks, and the registry that encodes them.
struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    dropbox_calls: Family<CallLabels, Counter>,
    dropbox_retries: Family<DropboxRoute, Counter>,
    dropbox_rate_limited: Family<DropboxRoute, Counter>,
    token_refresh_failures: Counter,
    /// Set by the rate budget once it exists; until then the gauge is not shown at all.
    rate_budget_tokens: Mutex<Option<f64>>,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let m = Metrics {
        requests: Family::default(),
        latency: LatencyFamily::new_with_constructor(latency_histogram),
        dropbox_calls: Family::default(),
        dropbox_retries: Family::default(),
        dropbox_rate_limited: Family::default(),
        token_refresh_failures: Counter::default(),
        rate_budget_tokens: Mutex::new(None),
        registry: Registry::default(),
    };
    registry.register(
        "scim_bridge_build",
        "The running version",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    registry.register(
        "scim_requests",
        "SCIM requests answered, by route template, method and status",
        m.requests.clone(),
    );
    registry.register(
        "scim_request_duration_seconds",
        "Time to answer a SCIM request, by route template and method",
        m.latency.clone(),
    );
    registry.register(
        "dropbox_calls",
        "Dropbox API calls, by route and outcome (ok or the error's tag)",
        m.dropbox_calls.clone(),
    );
    registry.register(
        "dropbox_retries",
        "Dropbox requests sent again inside one call (429, 5xx, transport), by route",
        m.dropbox_retries.clone(),
    );
    registry.register(
        "dropbox_rate_limited",
        "Dropbox 429 answers that the bridge waited out and retried, by route",
        m.dropbox_rate_limited.clone(),
    );
    registry.register(
        "dropbox_token_refresh_failures",
        "Failed refreshes of the Dropbox access token",
        m.token_refresh_failures.clone(),
    );
    Metrics { registry, ..m }
});

/// The method as a label: the standard ones by name, anything else as `OTHER` (bounded cardinality).
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
    ];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("OTHER")
}

/// Counts one answered request under its route template (never the raw path) and observes its latency.
pub fn record_request(route: &str, method: &str, status: u16, latency: Duration) {
    let m = &*METRICS;
    let method = method_label(method);
    m.requests
        .get_or_create(&RequestLabels {
            route: route.to_owned(),
            method,
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels {
            route: route.to_owned(),
            method,
        })
        .observe(latency.as_secs_f64());
}

/// Counts one finished Dropbox call on `route` with its outcome and the retries inside it.
pub fn record_dropbox_call(route: &str, outcome: &str, retries: u32) {
    let m = &*METRICS;
    m.dropbox_calls
        .get_or_create(&CallLabels {
            route: route.to_owned(),
            outcome: outcome.to_owned(),
        })
        .inc();
    if retries > 0 {
        m.dropbox_retries
            .get_or_create(&DropboxRoute {
                route: route.to_owned(),
            })
            .inc_by(u64::from(retries));
    }
}

/// Counts one Dropbox 429 on `route` that the client waits out before sending the request again.
pub fn record_rate_limited(route: &str) {
    METRICS
        .dropbox_rate_limited
        .get_or_create(&DropboxRoute {
            route: route.to_owned(),
        })
        .inc();
}

/// Counts one failed refresh of the Dropbox access token.
pub fn record_token_refresh_failure() {
    METRICS.token_refresh_failures.inc();
}

/// Sets `dropbox_rate_budget_tokens`, the calls left in the client-side rate budget (the budget's hook);
/// the gauge is shown from the first call on.
pub fn set_rate_budget_tokens(tokens: f64) {
    *METRICS
        .rate_budget_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(tokens);
}

/// A gauge of `value`, registered in `registry` under `name`.
fn register_f64(registry: &mut Registry, name: &str, help: &str, value: f64) {
    let gauge = Gauge::<f64, AtomicU64>::default();
    gauge.set(value);
    registry.register(name, help, gauge);
}

/// The store's side of a scrape, read when `/metrics` is asked for.
#[derive(Debug, Clone, Default)]
pub struct StoreGauges {
    /// Removals per state name (`pending`, `blocked`, ...); every state, zero included.
    pub removals: Vec<(&'static str, i64)>,
    /// Time since the team mirror was last fully refreshed; `None` before the first refresh.
    pub mirror_age: Option<Duration>,
}

/// Everything in the Prometheus text format: the process's metrics, then `store`'s gauges.
pub fn render(store: &StoreGauges) -> String {
    let mut scrape = Registry::default();
    let removals = Family::<StateLabel, Gauge>::default();
    for (state, count) in &store.removals {
        removals.get_or_create(&StateLabel { state }).set(*count);
    }
    scrape.register(
        "scim_bridge_removals",
        "Scheduled member removals, by state",
        removals,
    );
    if let Some(age) = store.mirror_age {
        register_f64(
            &mut scrape,
            "scim_bridge_mirror_age_seconds",
            "Time since the team mirror was last fully refreshed from Dropbox",
            age.as_secs_f64(),
        );
    }
    let budget = *METRICS
        .rate_budget_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(tokens) = budget {
        register_f64(
            &mut scrape,
            "dropbox_rate_budget_tokens",
            "Calls left in the client-side Dropbox rate budget",
            tokens,
        );
    }
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut text, &METRICS.registry);
    let _ = encode(&mut text, &scrape);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(text: &str, line_start: &str) -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn hooks_move_their_series_and_the_store_gauges_are_rendered() {
        record_dropbox_call("unit/test_route", "ok", 2);
        record_rate_limited("unit/test_route");
        record_request("/unit/{id}", "BREW", 418, Duration::from_millis(3));
        let text = render(&StoreGauges {
            removals: vec![("pending", 3), ("blocked", 1)],
            mirror_age: Some(Duration::from_secs(42)),
        });
        let calls = r#"dropbox_calls_total{route="unit/test_route",outcome="ok"}"#;
        assert!(sample(&text, calls).is_some_and(|v| v >= 1.0), "{text}");
        let retries = r#"dropbox_retries_total{route="unit/test_route"}"#;
        assert!(sample(&text, retries).is_some_and(|v| v >= 2.0), "{text}");
        let limited = r#"dropbox_rate_limited_total{route="unit/test_route"}"#;
        assert!(sample(&text, limited).is_some_and(|v| v >= 1.0), "{text}");
        let request = r#"scim_requests_total{route="/unit/{id}",method="OTHER",status="418"}"#;
        assert!(sample(&text, request).is_some_and(|v| v >= 1.0), "{text}");
        let blocked = r#"scim_bridge_removals{state="blocked"}"#;
        assert_eq!(sample(&text, blocked), Some(1.0), "{text}");
        assert_eq!(sample(&text, "scim_bridge_mirror_age_seconds "), Some(42.0));
    }

    #[test]
    fn the_rate_budget_gauge_shows_what_the_budget_last_set() {
        set_rate_budget_tokens(17.5);
        let text = render(&StoreGauges::default());
        assert_eq!(
            sample(&text, "dropbox_rate_budget_tokens "),
            Some(17.5),
            "{text}"
        );
    }

    #[test]
    fn a_mirror_never_refreshed_has_no_age() {
        let text = render(&StoreGauges::default());
        assert!(!text.contains("scim_bridge_mirror_age_seconds"), "{text}");
    }
}

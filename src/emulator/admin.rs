//! HTTP control API under `/_emulator/` (JSON in and out; not subject to faults or rate limits).
//!
//! * `GET stats` -> `{"calls": {"members/add_v2": 3, ...}, "total": N}`
//! * `GET calls?route=members/remove` -> `[the last 1000 request bodies, in order]`
//! * `POST faults` `{"route", "kind": "429_json"|"429_text"|"500"|"503"|"drop"|"drop_after", "times", "retry_after"?}`
//!   (`drop` closes the connection before the call is carried out, `drop_after` after it)
//! * `POST latency` `{"fixed_ms", "jitter_ms"}`
//! * `POST rate_limit` `{"calls_per_minute": n | null}`
//! * `POST accept_invite` `{"team_member_id"}`
//! * `POST seed` `{"count"}` -> `{"team_member_ids": [...]}`
//! * `POST clock/advance` `{"seconds"}`
//! * `POST tokens/expire` `{}` (expires every token)
//! * `POST tokens/issue` `{"scopes": [...]}` -> `{"access_token"}`
//! * `POST reset`

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::wire::{json_response, text};
use super::{Emulator, Fault};

/// The `/_emulator` sub-router.
pub(crate) fn router() -> Router<Emulator> {
    Router::new()
        .route("/stats", get(stats))
        .route("/calls", get(calls))
        .route("/faults", post(faults))
        .route("/latency", post(latency))
        .route("/rate_limit", post(rate_limit))
        .route("/accept_invite", post(accept_invite))
        .route("/seed", post(seed))
        .route("/clock/advance", post(advance))
        .route("/tokens/expire", post(expire))
        .route("/tokens/issue", post(issue))
        .route("/reset", post(reset))
}

fn ok(v: Value) -> Response {
    json_response(StatusCode::OK, &v)
}

fn bad(msg: &str) -> Response {
    text(StatusCode::BAD_REQUEST, msg.to_string())
}

fn parse<T: for<'de> Deserialize<'de>>(body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| format!("bad admin request: {e}"))
}

async fn stats(State(emu): State<Emulator>) -> Response {
    let calls = emu.stats();
    let total: u64 = calls.values().sum();
    ok(json!({"calls": calls, "total": total}))
}

async fn calls(State(emu): State<Emulator>, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("route") {
        Some(route) => ok(Value::Array(emu.calls(route))),
        None => bad("missing route query parameter"),
    }
}

#[derive(Deserialize)]
struct FaultReq {
    route: String,
    kind: String,
    #[serde(default = "one")]
    times: u32,
    retry_after: Option<u32>,
}

fn one() -> u32 {
    1
}

async fn faults(State(emu): State<Emulator>, body: String) -> Response {
    let r: FaultReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(&e),
    };
    let fault = match r.kind.as_str() {
        "429_json" => Fault::RateLimitJson {
            retry_after: r.retry_after.unwrap_or(1),
            reason_write_ops: false,
            body_retry_after: true,
        },
        "429_text" => Fault::RateLimitText {
            retry_after: r.retry_after.unwrap_or(1),
        },
        "500" => Fault::Internal500,
        "503" => Fault::Unavailable503 {
            retry_after: r.retry_after,
        },
        "drop" => Fault::DropConnection,
        "drop_after" => Fault::DropAfterWrite,
        other => return bad(&format!("unknown fault kind {other}")),
    };
    emu.inject_fault(&r.route, fault, r.times);
    ok(json!({}))
}

#[derive(Deserialize)]
struct LatencyReq {
    #[serde(default)]
    fixed_ms: u64,
    #[serde(default)]
    jitter_ms: u64,
}

async fn latency(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<LatencyReq>(&body) {
        Ok(r) => {
            emu.set_latency(
                Duration::from_millis(r.fixed_ms),
                Duration::from_millis(r.jitter_ms),
            );
            ok(json!({}))
        }
        Err(e) => bad(&e),
    }
}

#[derive(Deserialize)]
struct RateReq {
    calls_per_minute: Option<u32>,
}

async fn rate_limit(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<RateReq>(&body) {
        Ok(r) => {
            emu.set_rate_limit(r.calls_per_minute);
            ok(json!({}))
        }
        Err(e) => bad(&e),
    }
}

#[derive(Deserialize)]
struct AcceptReq {
    team_member_id: String,
}

async fn accept_invite(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<AcceptReq>(&body) {
        Ok(r) => match emu.accept_invite(&r.team_member_id) {
            Ok(()) => ok(json!({})),
            Err(e) => bad(&e),
        },
        Err(e) => bad(&e),
    }
}

#[derive(Deserialize)]
struct SeedReq {
    count: usize,
}

async fn seed(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<SeedReq>(&body) {
        Ok(r) if r.count <= 100_000 => ok(json!({"team_member_ids": emu.seed_members(r.count)})),
        Ok(_) => bad("count too large"),
        Err(e) => bad(&e),
    }
}

#[derive(Deserialize)]
struct AdvanceReq {
    seconds: u64,
}

async fn advance(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<AdvanceReq>(&body) {
        Ok(r) => {
            emu.advance_clock(Duration::from_secs(r.seconds));
            ok(json!({}))
        }
        Err(e) => bad(&e),
    }
}

async fn expire(State(emu): State<Emulator>) -> Response {
    emu.expire_all_tokens();
    ok(json!({}))
}

#[derive(Deserialize)]
struct IssueReq {
    scopes: Vec<String>,
}

async fn issue(State(emu): State<Emulator>, body: String) -> Response {
    match parse::<IssueReq>(&body) {
        Ok(r) => {
            let scopes: Vec<&str> = r.scopes.iter().map(String::as_str).collect();
            ok(json!({"access_token": emu.issue_token(&scopes)}))
        }
        Err(e) => bad(&e),
    }
}

async fn reset(State(emu): State<Emulator>) -> Response {
    emu.reset();
    ok(json!({}))
}

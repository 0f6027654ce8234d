//! The `/2/team/*` handler: route table, stats and call log, latency, faults, rate limit, auth, body parsing.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::Rng;
use serde_json::{Value, json};

use super::jobs::JobFamily;
use super::state::Model;
use super::wire::{ApiError, json_response, text};
use super::{
    Emulator, Fault, auth, group_members, groups, lifecycle, members, profile, roles,
    secondary_emails, space_limits,
};

/// A route implementation over the locked model.
type Handler = fn(&mut Model, &Value) -> Result<Value, ApiError>;

/// Scope, whether the argument is Void, and the handler of a route key.
fn route(key: &str) -> Option<(&'static str, bool, Handler)> {
    Some(match key {
        "members/add_v2" => ("members.write", false, members::add_v2),
        "members/add/job_status/get_v2" => ("members.write", false, |m, b| {
            members::poll(m, b, JobFamily::MembersAdd)
        }),
        "members/get_info_v2" => ("members.read", false, members::get_info_v2),
        "members/list_v2" => ("members.read", false, members::list_v2),
        "members/list/continue_v2" => ("members.read", false, members::list_continue_v2),
        "members/set_profile_v2" => ("members.write", false, profile::set_profile_v2),
        "members/set_admin_permissions_v2" => {
            ("members.write", false, profile::set_admin_permissions_v2)
        }
        "members/suspend" => ("members.write", false, members::suspend),
        "members/unsuspend" => ("members.write", false, members::unsuspend),
        "members/remove" => ("members.delete", false, lifecycle::remove),
        "members/remove/job_status/get" => ("members.delete", false, |m, b| {
            members::poll(m, b, JobFamily::MembersRemove)
        }),
        "members/recover" => ("members.delete", false, lifecycle::recover),
        "members/send_welcome_email" => ("members.write", false, lifecycle::send_welcome_email),
        "groups/job_status/get" => ("groups.write", false, group_members::poll),
        "groups/create" => ("groups.write", false, groups::create),
        "groups/get_info" => ("groups.read", false, groups::get_info),
        "groups/list" => ("groups.read", false, groups::list),
        "groups/list/continue" => ("groups.read", false, groups::list_continue),
        "groups/update" => ("groups.write", false, groups::update),
        "groups/delete" => ("groups.write", false, groups::delete),
        "groups/members/add" => ("groups.write", false, group_members::members_add),
        "groups/members/remove" => ("groups.write", false, group_members::members_remove),
        "groups/members/list" => ("groups.read", false, group_members::members_list),
        "groups/members/list/continue" => {
            ("groups.read", false, group_members::members_list_continue)
        }
        "members/get_available_team_member_roles" => ("members.read", true, roles::get_available),
        "members/secondary_emails/add" => ("members.write", false, secondary_emails::add),
        "members/secondary_emails/delete" => ("members.write", false, secondary_emails::delete),
        "members/secondary_emails/resend_verification_emails" => (
            "members.write",
            false,
            secondary_emails::resend_verification,
        ),
        // The spec gives set_custom_quota the members.read scope; the emulator follows it.
        "member_space_limits/set_custom_quota" => {
            ("members.read", false, space_limits::set_custom_quota)
        }
        "member_space_limits/remove_custom_quota" => {
            ("members.write", false, space_limits::remove_custom_quota)
        }
        "member_space_limits/get_custom_quota" => {
            ("members.read", false, space_limits::get_custom_quota)
        }
        "get_info" => ("team_info.read", true, lifecycle::team_info),
        "token/get_authenticated_admin" => ("team_info.read", true, lifecycle::authenticated_admin),
        _ => return None,
    })
}

fn fault_response(fault: Fault) -> Response {
    match fault {
        Fault::RateLimitJson {
            retry_after,
            reason_write_ops,
            body_retry_after,
        } => {
            let reason = if reason_write_ops {
                "too_many_write_operations"
            } else {
                "too_many_requests"
            };
            let mut err = json!({"reason": {".tag": reason}});
            if body_retry_after {
                err["retry_after"] = json!(retry_after);
            }
            let body = json!({"error_summary": format!("{reason}/.."), "error": err});
            with_retry_after(
                json_response(StatusCode::TOO_MANY_REQUESTS, &body),
                Some(retry_after),
            )
        }
        Fault::RateLimitText { retry_after } => with_retry_after(
            text(StatusCode::TOO_MANY_REQUESTS, "Too many requests".into()),
            Some(retry_after),
        ),
        Fault::Internal500 => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error".into(),
        ),
        Fault::Unavailable503 { retry_after } => with_retry_after(
            text(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable".into(),
            ),
            retry_after,
        ),
        Fault::DropConnection | Fault::DropAfterWrite => dropped_reply(),
    }
}

/// A response whose body fails before any byte, which makes hyper abort the connection.
fn dropped_reply() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("emulated connection drop"))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp
}

fn with_retry_after(mut resp: Response, secs: Option<u32>) -> Response {
    if let Some(s) = secs {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// `POST /2/team/{*route}`.
pub(crate) async fn team_route(
    State(emu): State<Emulator>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((scope, void, handler)) = route(&key) else {
        return ApiError::NotFound.into_response_for(&key);
    };
    let latency = {
        let mut model = emu.lock();
        *model.stats.entry(key.clone()).or_default() += 1;
        let logged = serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
        model.calls.record(&key, logged);
        model.faults.latency
    };
    let delay = latency.0 + jitter(latency.1);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut model = emu.lock();
    let lose_reply = match model.faults.take(&key) {
        Some(Fault::DropAfterWrite) => true,
        Some(fault) => return fault_response(fault),
        None => false,
    };
    let answer = answer(&mut model, &key, &headers, &body, (scope, void, handler));
    if lose_reply {
        return dropped_reply();
    }
    answer
}

/// Rate limit, auth, body and the route itself, on the locked model.
fn answer(
    model: &mut Model,
    key: &str,
    headers: &HeaderMap,
    body: &[u8],
    (scope, void, handler): (&str, bool, Handler),
) -> Response {
    let now_secs = model.now().timestamp();
    if let Some(wait) = model.faults.rate_check(now_secs) {
        let body = json!({"reason": {".tag": "too_many_requests"}, "retry_after": wait});
        let resp = json_response(StatusCode::TOO_MANY_REQUESTS, &envelope_rate(body));
        return with_retry_after(resp, Some(wait));
    }
    if let Err(e) = auth::authorize(model, headers, scope) {
        return e.into_response_for(key);
    }
    let arg = match parse_body(headers, body, void) {
        Ok(v) => v,
        Err(e) => return e.into_response_for(key),
    };
    match handler(model, &arg) {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => e.into_response_for(key),
    }
}

fn envelope_rate(err: Value) -> Value {
    json!({"error_summary": "too_many_requests/..", "error": err})
}

fn jitter(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::thread_rng().gen_range(0..=ms))
}

/// Content-type and JSON checks; Void routes accept `null` or an empty body.
fn parse_body(headers: &HeaderMap, body: &[u8], void: bool) -> Result<Value, ApiError> {
    if void && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let base = ct.split(';').next().unwrap_or("").trim();
    if !base.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::BadRequest(format!(
            "Bad HTTP \"Content-Type\" header: \"{ct}\". Expecting one of \"application/json\", \"application/json; charset=utf-8\"."
        )));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::BadRequest("request body: could not decode input as JSON".into()))?;
    if void && !v.is_null() {
        return Err(ApiError::arg("", "expected null"));
    }
    Ok(v)
}

//! A faithful local emulator of the Dropbox Team API, with fault injection, latency and rate-limit models.

mod admin;
mod args;
mod auth;
mod call_log;
mod cli;
mod control_admin;
mod cursor;
mod dispatch;
mod faults;
mod group_members;
#[cfg(test)]
mod group_rules_tests;
mod groups;
mod jobs;
mod lifecycle;
mod members;
mod oauth;
mod oauth_code;
#[cfg(test)]
mod oauth_tests;
mod per_user;
mod profile;
mod roles;
#[cfg(test)]
mod rules_tests;
mod secondary_emails;
mod space_limits;
mod state;
mod view;
mod wire;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use axum::routing::{get, post};

pub use auth::ALL_SCOPES;
pub use call_log::CALLS_KEPT_PER_ROUTE;
pub use cli::run_standalone;

use state::{Model, Status};

/// Settings of an emulated team.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Team name returned by team/get_info.
    pub team_name: String,
    /// Licence seats; invited + active + suspended members use one each.
    pub num_licensed_users: u32,
    /// Email of the seeded active team admin (token/get_authenticated_admin returns it).
    pub admin_email: String,
    /// App key for the /oauth2/token refresh flow.
    pub app_key: String,
    /// App secret for the /oauth2/token refresh flow.
    pub app_secret: String,
    /// The one valid refresh token.
    pub refresh_token: String,
    /// A non-expiring team token with all scopes, if set.
    pub static_token: Option<String>,
    /// Lifetime of tokens minted by /oauth2/token.
    pub access_token_ttl: Duration,
    /// Jobs answer `in_progress` this many times before completing.
    pub job_polls_before_complete: u32,
    /// members/remove and groups/delete answer with an async_job_id instead of complete.
    pub remove_async: bool,
    /// Seed an "Everyone" system-managed group.
    pub seed_system_group: bool,
    /// New members are active at once instead of invited.
    pub auto_accept_invites: bool,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets and tokens stay out of Debug output.
        f.debug_struct("EmulatorConfig")
            .field("team_name", &self.team_name)
            .field("num_licensed_users", &self.num_licensed_users)
            .field("admin_email", &self.admin_email)
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field(
                "static_token",
                &self.static_token.as_ref().map(|_| "<redacted>"),
            )
            .field("access_token_ttl", &self.access_token_ttl)
            .field("job_polls_before_complete", &self.job_polls_before_complete)
            .field("remove_async", &self.remove_async)
            .field("seed_system_group", &self.seed_system_group)
            .field("auto_accept_invites", &self.auto_accept_invites)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            team_name: "Emulated Team".into(),
            num_licensed_users: 100,
            admin_email: "admin@example.com".into(),
            app_key: "emulator-app-key".into(),
            app_secret: "emulator-app-secret".into(),
            refresh_token: "emulator-refresh-token".into(),
            static_token: None,
            access_token_ttl: Duration::from_secs(4 * 3600),
            job_polls_before_complete: 1,
            remove_async: false,
            seed_system_group: true,
            auto_accept_invites: false,
        }
    }
}

/// A fault injected for the next N calls of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 JSON body; `reason_write_ops` picks too_many_write_operations; `body_retry_after` adds retry_after.
    RateLimitJson {
        /// Seconds in the `Retry-After` header.
        retry_after: u32,
        /// Answer `too_many_write_operations` instead of `too_many_requests`.
        reason_write_ops: bool,
        /// Repeat the wait as `retry_after` in the JSON body.
        body_retry_after: bool,
    },
    /// 429 text/plain.
    RateLimitText {
        /// Seconds in the `Retry-After` header.
        retry_after: u32,
    },
    /// 500 text.
    Internal500,
    /// 503 text, optionally with Retry-After.
    Unavailable503 {
        /// Seconds in the `Retry-After` header, when one is sent.
        retry_after: Option<u32>,
    },
    /// The connection is closed without a response.
    DropConnection,
    /// The call is carried out (the write is applied), then the connection is closed without a
    /// response: a reply lost after the write.
    DropAfterWrite,
}

/// Handle on one emulated team; cheap to clone.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Mutex<Model>>,
}

/// An emulator serving on a loopback port; shuts down on drop or [`RunningEmulator::shutdown`].
pub struct RunningEmulator {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The served emulator, for in-process control.
    pub emulator: Emulator,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl RunningEmulator {
    /// Stops serving.
    pub fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Emulator {
    /// A fresh emulated team.
    pub fn new(config: EmulatorConfig) -> Self {
        Emulator {
            shared: Arc::new(Mutex::new(Model::new(config))),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Model> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The axum router: `/2/team/...`, `/oauth2/token`, `/oauth2/authorize` and `/_emulator/...`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/2/team/{*route}", post(dispatch::team_route))
            .route("/oauth2/token", post(oauth::oauth_token))
            .route("/oauth2/authorize", get(oauth_code::authorize))
            .nest("/_emulator", admin::router())
            .fallback(|| async {
                wire::text(
                    axum::http::StatusCode::NOT_FOUND,
                    "Unknown API function".into(),
                )
            })
            .layer(axum::middleware::map_response(
                |mut resp: axum::response::Response| async move {
                    if let Ok(v) = HeaderValue::from_str(&wire::new_request_id()) {
                        resp.headers_mut().insert(wire::REQUEST_ID, v);
                    }
                    resp
                },
            ))
            .with_state(self.clone())
    }

    /// Serves a new emulator on 127.0.0.1 with an OS-chosen port.
    pub async fn spawn(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        Self::spawn_on(config, listener).await
    }

    /// Serves a new emulator on the given listener.
    pub async fn spawn_on(
        config: EmulatorConfig,
        listener: tokio::net::TcpListener,
    ) -> std::io::Result<RunningEmulator> {
        let addr = listener.local_addr()?;
        let emulator = Emulator::new(config);
        let app = emulator.router();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(RunningEmulator {
            base_url: format!("http://{addr}"),
            emulator,
            stop: Some(tx),
        })
    }

    /// Issues a non-expiring team token with these scopes (`"all"` for every scope).
    pub fn issue_token(&self, scopes: &[&str]) -> String {
        let token = auth::new_token_string();
        self.lock()
            .tokens
            .insert(token.clone(), auth::Token::team(scopes, None));
        token
    }

    /// Issues a non-expiring team token with every scope.
    pub fn issue_token_all(&self) -> String {
        self.issue_token(&["all"])
    }

    /// Makes one token expired.
    pub fn expire_token(&self, token: &str) {
        let mut model = self.lock();
        let now = model.now();
        if let Some(t) = model.tokens.get_mut(token) {
            t.expire(now);
        }
    }

    /// Makes every token (including the static one) expired.
    pub fn expire_all_tokens(&self) {
        let mut model = self.lock();
        let now = model.now();
        model.tokens.values_mut().for_each(|t| t.expire(now));
    }

    /// Simulates an invitee accepting: invited -> active.
    pub fn accept_invite(&self, team_member_id: &str) -> Result<(), String> {
        let mut model = self.lock();
        let now = model.now();
        let m = model
            .member_mut(team_member_id)
            .ok_or_else(|| format!("no member {team_member_id}"))?;
        if m.status != Status::Invited {
            return Err(format!("member {team_member_id} is not invited"));
        }
        m.status = Status::Active;
        m.invited_on = None;
        m.joined_on = Some(now);
        m.email_verified = true;
        Ok(())
    }

    /// Adds `n` active members (`seedNNN@example.com`) and returns their ids.
    pub fn seed_members(&self, n: usize) -> Vec<String> {
        let mut model = self.lock();
        let now = model.now();
        let start = model.members.len();
        (0..n)
            .map(|i| {
                let email = format!("seed{}@example.com", start + i);
                let id = model.new_member(
                    &email,
                    "Seed",
                    &format!("User{}", start + i),
                    state::Role::MemberOnly,
                );
                // The member just pushed: no search (seeding 100,000 stays linear).
                if let Some(m) = model.members.last_mut().filter(|m| m.id == id) {
                    m.status = Status::Active;
                    m.invited_on = None;
                    m.joined_on = Some(now);
                    m.email_verified = true;
                }
                id
            })
            .collect()
    }

    /// Registers an email as belonging to another team (members/add answers user_on_another_team).
    pub fn add_other_team_email(&self, email: &str) {
        self.lock()
            .other_team_emails
            .insert(email.to_ascii_lowercase());
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&self, by: Duration) {
        let mut model = self.lock();
        model.clock_offset += chrono::Duration::from_std(by).unwrap_or_default();
    }

    /// Forgets every member, group, token, job, fault and statistic and reseeds from the config.
    pub fn reset(&self) {
        let mut model = self.lock();
        let cfg = model.cfg.clone();
        *model = Model::new(cfg);
    }

    /// Answers the next `times` calls of `route` with `fault`.
    pub fn inject_fault(&self, route: &str, fault: Fault, times: u32) {
        self.lock().faults.inject(route, fault, times);
    }

    /// Adds `fixed` plus up to `jitter` latency to every /2/ call.
    pub fn set_latency(&self, fixed: Duration, jitter: Duration) {
        self.lock().faults.latency = (fixed, jitter);
    }

    /// Limits the team to `calls_per_minute` (None: unlimited).
    pub fn set_rate_limit(&self, calls_per_minute: Option<u32>) {
        self.lock().faults.rate_limit = calls_per_minute;
    }

    /// Calls received per route key.
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.lock().stats.clone()
    }

    /// The last request bodies received on `route` (at most [`CALLS_KEPT_PER_ROUTE`]), oldest first.
    pub fn calls(&self, route: &str) -> Vec<serde_json::Value> {
        self.lock().calls.bodies(route)
    }

    /// The TeamMemberProfile JSON of a member, for assertions.
    pub fn member(&self, team_member_id: &str) -> Option<serde_json::Value> {
        let model = self.lock();
        let m = model.member(team_member_id)?;
        Some(view::to_json(&view::profile(&model, m)))
    }
}

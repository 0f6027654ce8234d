//! The status page's HTML (maud escapes every value): plain server-rendered markup, one inline
//! style sheet allowed by its hash in the CSP, no script, legible on a phone (lists, not wide tables).

use crate::bridge::status::StatusSnapshot;
use crate::store::{AuditEntry, PendingRemoval};
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The page's only style sheet; the CSP allows exactly this text (by its SHA-256).
pub const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0;padding:1rem;\
color:#1b1b1b;background:#f6f7f9;max-width:70rem}h1{font-size:1.35rem;margin:0 0 .25rem}\
h2{font-size:1.1rem;margin:0 0 .5rem}section{background:#fff;border:1px solid #d8dce2;\
border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}.muted{color:#5b6470}.ok{color:#176f2c}\
.bad{color:#a4161a;font-weight:600}ul.items{list-style:none;margin:0;padding:0}\
ul.items li{padding:.45rem 0;border-bottom:1px solid #e6e8eb;overflow-wrap:anywhere}\
ul.items li:last-child{border-bottom:0}.why{font-size:.9rem}code{font-size:.85rem}\
header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem}\
input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.5rem 0}\
button{font-size:1rem;padding:.45rem 1rem}";

fn shell(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

/// The login form (posts the operator token); `failed` after a wrong token.
pub fn login(failed: bool) -> String {
    shell(
        "Bridge status: log in",
        html! {
            h1 { "dropbox-scim-bridge status" }
            section {
                h2 { "Operator login" }
                @if failed { p.bad { "That is not the operator token." } }
                p.muted { "The operator token of " code { "[status] token_sha256" } ", not an IdP token." }
                form method="post" action="status/login" {
                    label for="token" { "Operator token" }
                    input id="token" name="token" type="password" autocomplete="current-password" required;
                    button type="submit" { "Log in" }
                }
            }
        },
    )
}

/// The page shown when the store cannot be read.
pub fn store_down() -> String {
    shell(
        "Bridge status",
        html! {
            h1 { "dropbox-scim-bridge status" }
            section { p.bad { "The bridge's store cannot be read; see the bridge's log." } }
        },
    )
}

/// The status page of `s`.
pub fn render(s: &StatusSnapshot) -> String {
    shell(
        "Bridge status",
        html! {
            header {
                div {
                    h1 { "dropbox-scim-bridge status" }
                    div.muted { "version " (env!("CARGO_PKG_VERSION")) " · " (stamp(s.at)) " · store " (s.store) }
                }
                form method="post" action="status/logout" { button type="submit" { "Log out" } }
            }
            section id="dropbox" {
                h2 { "Dropbox" }
                @match &s.team {
                    Ok(t) => { p {
                        span.ok { "connected" } " · team " strong { (t.name) } " "
                        span.muted { "(" (t.team_id) ")" } " · "
                        (t.provisioned) " members provisioned, " (t.licensed) " licences"
                    } }
                    Err(reason) => { p.bad { "not connected: " (reason) } }
                }
            }
            section id="budget" {
                h2 { "Rate budget" }
                @let b = &s.budget;
                @if b.per_minute == 0 {
                    p.muted { "off (dropbox.rate_budget.per_minute = 0)" }
                } @else {
                    p {
                        (b.tokens.floor()) " calls left of " (b.per_minute) " a minute"
                        @if b.shared { " (shared with the other replicas)" }
                        @if let Some(secs) = b.paused_secs { " · " span.bad { "paused " (secs) " s after a 429" } }
                    }
                    p.muted { (b.rate_limited) " 429s from Dropbox, " (b.retries) " retries, " (b.refused) " refused to the IdP since start-up" }
                }
            }
            section id="mirror" {
                h2 { "Member mirror" }
                @match s.mirror_refreshed_at {
                    Some(at) => { p { "refreshed " (age(s.at, at)) " ago " span.muted { "(" (stamp(at)) ")" } } }
                    None => { p.muted { "not refreshed yet (the first listing fills it)" } }
                }
            }
            section id="removals" {
                h2 { "Pending and blocked removals (" (s.removals.len()) ")" }
                @if s.removals.is_empty() { p.muted { "none" } } @else { (removals(&s.removals)) }
            }
            section id="recent" {
                h2 { "Latest SCIM operations (" (s.recent.len()) ")" }
                @if s.recent.is_empty() { p.muted { "none yet" } } @else { (recent(&s.recent)) }
            }
        },
    )
}

fn removals(list: &[PendingRemoval]) -> Markup {
    html! {
        ul.items {
            @for r in list {
                li {
                    div {
                        span class=(if r.last_error.is_some() { "bad" } else { "ok" }) { (r.state.as_str()) }
                        " · user " code { (r.scim_id) }
                    }
                    div.muted { "member " code { (r.team_member_id) } " · due " (stamp(r.due_at)) " · tries " (r.attempts) }
                    @if let Some(reason) = &r.last_error { div.why { "blocked by: " (reason) } }
                }
            }
        }
    }
}

fn recent(list: &[AuditEntry]) -> Markup {
    html! {
        ul.items {
            @for e in list {
                li {
                    div {
                        span class=(if e.status >= 400 { "bad" } else { "ok" }) { (e.status) } " "
                        code { (e.operation) }
                    }
                    div.muted {
                        (stamp(e.at)) " · " (e.client.as_deref().unwrap_or("-"))
                        @for c in &e.dropbox_calls { " · " code { (c.route) "=" (c.outcome) } }
                    }
                    @if let Some(detail) = &e.detail { div.why { (detail) } }
                }
            }
        }
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `now - then` as `2h 5m`, `3m 12s` or `40s`.
fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {}s", secs / 60, secs % 60),
        _ => format!("{}h {}m", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::status::TeamSummary;

    #[test]
    fn values_are_escaped_and_no_script_is_served() {
        let hostile = "<script>alert(1)</script>\"'&";
        let snapshot = StatusSnapshot {
            at: Utc::now(),
            team: Ok(TeamSummary {
                name: hostile.to_owned(),
                team_id: "dbtid:1".to_owned(),
                licensed: 5,
                provisioned: 2,
            }),
            store: "sqlite",
            mirror_refreshed_at: None,
            removals: Vec::new(),
            recent: Vec::new(),
            budget: crate::bridge::status::BudgetView {
                per_minute: 1000,
                tokens: 99.5,
                paused_secs: Some(3),
                shared: true,
                rate_limited: 2,
                retries: 2,
                refused: 0,
            },
        };
        let page = render(&snapshot);
        assert!(!page.contains("<script"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;'&amp;"),
            "{page}"
        );
        assert!(login(true).contains("not the operator token"));
    }

    #[test]
    fn ages_read_in_the_largest_units() {
        let now = Utc::now();
        assert_eq!(age(now, now - chrono::Duration::seconds(40)), "40s");
        assert_eq!(age(now, now - chrono::Duration::seconds(192)), "3m 12s");
        assert_eq!(age(now, now - chrono::Duration::seconds(7500)), "2h 5m");
    }
}

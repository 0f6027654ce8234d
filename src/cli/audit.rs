//! `audit`: prints the audit log of SCIM writes and the Dropbox calls they made, from the existing
//! store opened read-only (never Dropbox); filters, and a table, JSON Lines or CSV.

pub use super::audit_format::Format;
use super::audit_format::write_entries;
pub use super::store_access::{StoreArgs, open_store};
use crate::store::{Access, AuditQuery};
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Args;
use std::io::Write;

/// `audit`'s options.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Where the store is.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only entries about this SCIM id.
    #[arg(long)]
    pub user: Option<String>,
    /// Only entries about the user with this e-mail (looked up in the store: every id it had).
    #[arg(long, conflicts_with = "user")]
    pub email: Option<String>,
    /// Only entries since: RFC 3339 or an age such as 30m, 24h, 7d.
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries before: RFC 3339 or an age.
    #[arg(long)]
    pub until: Option<String>,
    /// Only this HTTP status (`429`), a class (`4xx`), `failed` (400 and up) or `ok` (below 400).
    #[arg(long)]
    pub status: Option<String>,
    /// Only entries of this client: a token name, `cli`, or `worker:...`.
    #[arg(long)]
    pub client: Option<String>,
    /// Only operations starting with this, ignoring case: `DELETE`, `PATCH /scim/v2/Groups`,
    /// `pending --cancel`, `deferred removal`.
    #[arg(long)]
    pub operation: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// Prints the audit log, newest first, from the existing store opened read-only.
pub async fn audit(args: AuditArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut query = AuditQuery {
        resource_id: args.user,
        since: args
            .since
            .as_deref()
            .map(|s| parse_time(s, now))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| parse_time(s, now))
            .transpose()?,
        client: args.client,
        status: args.status.as_deref().map(parse_status).transpose()?,
        operation: args.operation,
        limit: Some(args.limit.max(1)),
        ..AuditQuery::default()
    };
    let format = if args.json { Format::Json } else { args.format };
    let store = open_store(&args.store.store_url()?, Access::ReadOnly).await?;
    let entries = match &args.email {
        Some(email) => match store.ids_for_email(email).await {
            Ok(ids) if ids.is_empty() => {
                store.close().await;
                bail!(
                    "the store knows no user with that e-mail (mirror, deleted users, invites); \
                     audit entries name SCIM ids: try --user ID"
                );
            }
            Ok(ids) => {
                query.resource_ids = ids;
                store.query_audit(&query).await
            }
            Err(e) => Err(e),
        },
        None => store.query_audit(&query).await,
    };
    store.close().await;
    let entries = entries.context("cannot read the audit log")?;
    let mut out = Vec::new();
    write_entries(&mut out, &entries, format)?;
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// `429`, `4xx`, `failed` or `ok` as an inclusive status range.
fn parse_status(text: &str) -> anyhow::Result<(i64, i64)> {
    let t = text.trim().to_ascii_lowercase();
    let range = match t.as_str() {
        "ok" => Some((100, 399)),
        "failed" | "error" => Some((400, 599)),
        _ if t.len() == 3 && t.ends_with("xx") => t[..1]
            .parse::<i64>()
            .ok()
            .filter(|c| (1..=5).contains(c))
            .map(|c| (c * 100, c * 100 + 99)),
        _ => t
            .parse::<i64>()
            .ok()
            .filter(|s| (100..=599).contains(s))
            .map(|s| (s, s)),
    };
    range.with_context(|| {
        format!("--status `{text}`: give a status (429), a class (4xx), failed or ok")
    })
}

/// RFC 3339, or an age before `now`: a number and `s`, `m`, `h`, `d` or `w`.
fn parse_time(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let split = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..split), text.get(split..));
    let amount: i64 = number
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 0)
        .with_context(|| format!("`{text}` is neither RFC 3339 nor an age like 24h or 7d"))?;
    let secs = match unit {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        Some("w") => 604_800,
        _ => bail!("`{text}`: the unit must be s, m, h, d or w"),
    };
    amount
        .checked_mul(secs)
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| now.checked_sub_signed(d))
        .with_context(|| format!("`{text}` is too far back"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::table::stamp;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn times_parse_as_rfc3339_or_relative_ages() {
        let t = parse_time("2026-03-01T08:30:00+01:00", now()).map(stamp);
        assert_eq!(t.ok().as_deref(), Some("2026-03-01T07:30:00Z"));
        let ago = |s| parse_time(s, now()).map(stamp).ok();
        assert_eq!(ago("24h").as_deref(), Some("2026-03-09T12:00:00Z"));
        assert_eq!(ago("7d").as_deref(), Some("2026-03-03T12:00:00Z"));
        assert_eq!(ago("90m").as_deref(), Some("2026-03-10T10:30:00Z"));
        for bad in ["", "h", "-1d", "5y", "yesterday", "9999999999999999w", "1é"] {
            assert!(parse_time(bad, now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_parse_as_codes_classes_or_outcomes() {
        let p = |s| parse_status(s).ok();
        assert_eq!(p("429"), Some((429, 429)));
        assert_eq!(p("4XX"), Some((400, 499)));
        assert_eq!(p("failed"), Some((400, 599)));
        assert_eq!(p("ok"), Some((100, 399)));
        for bad in ["", "6xx", "0xx", "42", "99", "abc", "4x"] {
            assert!(parse_status(bad).is_err(), "{bad}");
        }
    }
}

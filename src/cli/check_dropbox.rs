//! The Dropbox half of `check`: credentials, the authorising admin, the team's licences, every
//! required scope, and the deprovisioning transfer targets, each reported on its own.

use crate::config::{Config, DeprovisionPolicy, TransferTo};
use crate::dropbox::scopes::REQUIRED_SCOPES;
use crate::dropbox::team::{
    GroupsListArg, MembersGetInfoItemV2, MembersGetInfoV2Arg, MembersListArg, TeamMemberInfoV2,
    TeamMemberStatus, UserSelectorArg,
};
use crate::dropbox::{DropboxClient, DropboxError, ErrorKind, PollArg, union_tag};
use serde::Serialize;

use super::check_report::Report;

/// A job id no job has: its poll routes answer `invalid_async_job_id` once past the scope check,
/// so polling it shows whether a write scope is granted without writing anything.
const NO_SUCH_JOB: &str = "dbjid:scim-bridge-check-probe";

/// What one call says about the scope of its route.
enum Probe {
    /// Dropbox got past the scope check (an answer, or the route's own error about the argument).
    Granted,
    /// `missing_scope`.
    Missing,
    /// Dropbox refused the credentials themselves.
    Refused(String),
    /// No answer that tells (transport, 5xx, rate limit).
    Unknown(String),
}

fn classify<T, E: Serialize>(result: &Result<T, DropboxError<E>>) -> Probe {
    let Err(e) = result else {
        return Probe::Granted;
    };
    match &e.kind {
        ErrorKind::Auth(tag) if tag.starts_with("missing_scope") => Probe::Missing,
        _ if e.is_credentials_refused() => Probe::Refused(e.to_string()),
        // The probes send well-formed arguments, so a 400 says something else is wrong.
        ErrorKind::Api(_) => Probe::Granted,
        _ => Probe::Unknown(e.to_string()),
    }
}

/// Calls one harmless route that needs `scope`: a one-item read, or a poll of [`NO_SUCH_JOB`].
async fn probe(client: &DropboxClient, scope: &str) -> Probe {
    let no_job = PollArg::new(NO_SUCH_JOB.to_owned());
    match scope {
        "team_info.read" => classify(&client.team_get_info().await),
        "members.read" => {
            let arg = MembersListArg::default().with_limit(1);
            classify(&client.members_list_v2(&arg).await)
        }
        "members.write" => classify(&client.members_add_job_status_get_v2(&no_job).await),
        "members.delete" => classify(&client.members_remove_job_status_get(&no_job).await),
        "groups.read" => {
            let arg = GroupsListArg::default().with_limit(1);
            classify(&client.groups_list(&arg).await)
        }
        "groups.write" => classify(&client.groups_job_status_get(&no_job).await),
        other => Probe::Unknown(format!("`check` has no probe for {other}")),
    }
}

/// Runs every Dropbox check of `config` into `report`.
pub async fn check_dropbox(config: &Config, report: &mut Report) {
    let client = match DropboxClient::from_config(config) {
        Ok(c) => c,
        Err(e) => return report.fail("dropbox", e.to_string()),
    };
    let admin = client.token_get_authenticated_admin().await;
    let admin = match (classify(&admin), admin) {
        (_, Ok(a)) => Some(a.admin_profile),
        (Probe::Missing, _) => None,
        (Probe::Refused(e), _) => {
            return report.fail("dropbox", format!("Dropbox refused the credentials: {e}"));
        }
        (_, Err(e)) if matches!(e.kind, ErrorKind::Transport(_)) => {
            return report.fail("dropbox", format!("could not reach Dropbox: {e}"));
        }
        (_, Err(e)) => return report.fail("dropbox", format!("the Dropbox check failed: {e}")),
    };
    report.ok(
        "dropbox",
        format!("credentials accepted by {}", config.dropbox.base_url),
    );
    check_team(&client, report).await;
    let granted = check_scopes(&client, report).await;
    let members_read = granted.contains(&"members.read");
    let need = |scope: &str| format!("not checked: needs the {scope} scope");
    match admin {
        None => report.warn("dropbox.admin", need("team_info.read")),
        Some(_) if !members_read => report.warn("dropbox.admin", need("members.read")),
        Some(profile) => {
            let info = member(&client, &profile.team_member_id).await;
            let role = info
                .as_ref()
                .map_or_else(|_| "unknown".to_owned(), role_names);
            let who = format!("authorised by {} (role: {role})", profile.email);
            match info {
                Ok(Some(i)) if is_team_admin(&i) => report.ok("dropbox.admin", who),
                _ => report.warn(
                    "dropbox.admin",
                    format!("{who}; not a Team admin, so Dropbox may refuse some member changes"),
                ),
            }
        }
    }
    for key in ["transfer_dest", "transfer_admin"] {
        check_transfer(&client, config, key, members_read, report).await;
    }
}

/// `dropbox.team`: the team's name and its licences used and free.
async fn check_team(client: &DropboxClient, report: &mut Report) {
    match client.team_get_info().await {
        Ok(t) => {
            let free = t.num_licensed_users.saturating_sub(t.num_used_licenses);
            let line = format!(
                "{}: {} of {} licences used, {free} free",
                t.name, t.num_used_licenses, t.num_licensed_users
            );
            if free == 0 {
                report.warn("dropbox.team", line + "; new users cannot be invited");
            } else {
                report.ok("dropbox.team", line);
            }
        }
        Err(e) => match classify(&Err::<(), _>(e)) {
            Probe::Missing => {
                report.warn("dropbox.team", "not read: needs the team_info.read scope")
            }
            Probe::Refused(e) | Probe::Unknown(e) => report.fail("dropbox.team", e),
            Probe::Granted => report.warn("dropbox.team", "team/get_info answered an error"),
        },
    }
}

/// `dropbox.scopes`: probes every scope the bridge needs and names each missing one; returns
/// the scopes that are granted.
async fn check_scopes(client: &DropboxClient, report: &mut Report) -> Vec<&'static str> {
    let (mut granted, mut missing, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for &scope in REQUIRED_SCOPES {
        match probe(client, scope).await {
            Probe::Granted => granted.push(scope),
            Probe::Missing => missing.push(scope),
            Probe::Refused(e) | Probe::Unknown(e) => unknown.push(format!("{scope} ({e})")),
        }
    }
    if !missing.is_empty() {
        report.fail(
            "dropbox.scopes",
            format!(
                "missing: {}. Tick them in the app's Permissions tab in the Dropbox App Console, \
                 then authorise again (`dropbox-scim-bridge dropbox-login --force`)",
                missing.join(", ")
            ),
        );
    }
    if !unknown.is_empty() {
        report.warn(
            "dropbox.scopes",
            format!("could not tell: {}", unknown.join("; ")),
        );
    }
    if missing.is_empty() && unknown.is_empty() {
        report.ok(
            "dropbox.scopes",
            format!("all granted: {}", granted.join(", ")),
        );
    }
    granted
}

/// `deprovision.transfer_dest` / `deprovision.transfer_admin`: the member exists and is active,
/// and the admin is a Team admin, as `members/remove` will require.
async fn check_transfer(
    client: &DropboxClient,
    config: &Config,
    key: &str,
    members_read: bool,
    report: &mut Report,
) {
    let d = &config.deprovision;
    let name = format!("deprovision.{key}");
    let value = match key {
        "transfer_dest" => d.transfer_dest.as_deref(),
        _ => d.transfer_admin.as_deref(),
    };
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let used = d.policy != DeprovisionPolicy::Suspend && d.transfer_to != TransferTo::None;
    let Some(value) = value else {
        if used && key == "transfer_dest" && d.transfer_to == TransferTo::Manager {
            report.warn(
                name,
                "not set: removing a user who has no active manager will be blocked",
            );
        }
        return;
    };
    if !used {
        return report.ok(name, format!("{value}: not used by this policy"));
    }
    if !members_read {
        return report.warn(name, "not checked: needs the members.read scope");
    }
    let info = match member(client, value).await {
        Ok(Some(info)) => info,
        Ok(None) => {
            return report.fail(
                name,
                format!(
                    "{value} is not a member of the team; removals would fail with \
                     {key}_user_not_found. Set it to a member's e-mail or dbmid: id"
                ),
            );
        }
        Err(e) => return report.fail(name, format!("could not look up {value}: {e}")),
    };
    if info.profile.status != TeamMemberStatus::Active {
        let status = union_tag(&info.profile.status);
        return report.fail(
            name,
            format!(
                "{value} is {status}, not active; removals would fail with {key}_user_not_in_team"
            ),
        );
    }
    if key == "transfer_admin" && !is_team_admin(&info) {
        return report.fail(
            name,
            format!(
                "{value} is not a Team admin (role: {}); removals would fail with \
                 transfer_admin_is_not_admin",
                role_names(&Some(info))
            ),
        );
    }
    let what = if key == "transfer_admin" {
        "an active Team admin"
    } else {
        "an active member"
    };
    report.ok(name, format!("{value} is {what}"));
}

/// The member an e-mail or `dbmid:` id selects, `None` when Dropbox knows no such member.
async fn member(client: &DropboxClient, who: &str) -> Result<Option<TeamMemberInfoV2>, String> {
    let selector = if who.contains('@') {
        UserSelectorArg::Email(who.to_owned())
    } else {
        UserSelectorArg::TeamMemberId(who.to_owned())
    };
    let arg = MembersGetInfoV2Arg::new(vec![selector]);
    let result = client
        .members_get_info_v2(&arg)
        .await
        .map_err(|e| e.to_string())?;
    Ok(match result.members_info.into_iter().next() {
        Some(MembersGetInfoItemV2::MemberInfo(info)) => Some(info),
        _ => None,
    })
}

/// Whether a member holds the Team admin role (Dropbox names it "Team" or "Team admin").
fn is_team_admin(info: &TeamMemberInfoV2) -> bool {
    info.roles.iter().flatten().any(|r| {
        let name = r.name.trim().to_ascii_lowercase();
        name == "team" || name == "team admin"
    })
}

fn role_names(info: &Option<TeamMemberInfoV2>) -> String {
    let names: Vec<&str> = info
        .iter()
        .flat_map(|i| i.roles.iter().flatten())
        .map(|r| r.name.as_str())
        .collect();
    if names.is_empty() {
        "member only".to_owned()
    } else {
        names.join(", ")
    }
}

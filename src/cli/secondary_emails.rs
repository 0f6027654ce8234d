//! `resend-verification`: asks Dropbox to send the verification mail again for a member's pending
//! (unverified) secondary e-mails. SCIM writes never call `resend_verification_emails` (it would cost
//! a call and send a mail on requests that change nothing), so this is the operator's way to do it.

use crate::config::Config;
use crate::dropbox::DropboxClient;
use crate::dropbox::team::{
    MembersGetInfoItemV2, MembersGetInfoV2Arg, ResendSecondaryEmailResult,
    ResendVerificationEmailArg, UserResendResult, UserSecondaryEmailsArg, UserSelectorArg,
};
use anyhow::{Context, bail};
use std::path::PathBuf;

/// Arguments of `resend-verification`.
#[derive(Debug, clap::Args)]
pub struct ResendArgs {
    /// The TOML config file (also SCIM_BRIDGE_CONFIG).
    #[arg(long, env = "SCIM_BRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The member: a `dbmid:` id (the SCIM id of a member the bridge created) or the login e-mail.
    pub member: String,
    /// Only this pending address (by default every pending one).
    #[arg(long)]
    pub email: Option<String>,
}

/// Runs the command with the configured Dropbox credentials and prints one line per address.
pub async fn run(args: ResendArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let client = DropboxClient::from_config(&config).context("cannot build the Dropbox client")?;
    print!(
        "{}",
        resend(&client, &args.member, args.email.as_deref()).await?
    );
    Ok(())
}

/// One `members/get_info_v2`, then one `resend_verification_emails` for the member's pending
/// addresses (or `only`), none when nothing is pending. Returns the report, a line per address.
pub async fn resend(
    client: &DropboxClient,
    member: &str,
    only: Option<&str>,
) -> anyhow::Result<String> {
    let selector = if member.contains('@') {
        UserSelectorArg::Email(member.to_owned())
    } else {
        UserSelectorArg::TeamMemberId(member.to_owned())
    };
    let info = client
        .members_get_info_v2(&MembersGetInfoV2Arg::new(vec![selector]))
        .await
        .context("cannot look the member up in Dropbox")?;
    let Some(MembersGetInfoItemV2::MemberInfo(m)) = info.members_info.into_iter().next() else {
        bail!("{member} is not a member of the Dropbox team; nothing was sent");
    };
    let pending: Vec<String> = m
        .profile
        .secondary_emails
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !s.is_verified)
        .map(|s| s.email)
        .filter(|e| only.is_none_or(|o| o.eq_ignore_ascii_case(e)))
        .collect();
    if pending.is_empty() {
        return Ok(format!(
            "{member}: no pending secondary e-mail{}; nothing was sent\n",
            only.map(|o| format!(" {o}")).unwrap_or_default()
        ));
    }
    let user = UserSelectorArg::TeamMemberId(m.profile.team_member_id.clone());
    let arg =
        ResendVerificationEmailArg::new(vec![UserSecondaryEmailsArg::new(user, pending.clone())]);
    let result = client
        .members_secondary_emails_resend_verification_emails(&arg)
        .await
        .context("Dropbox refused the resend")?;
    let mut out = String::new();
    for r in result.results {
        let UserResendResult::Success(per_user) = r else {
            bail!("{member}: Dropbox does not take this member as a target; nothing was sent");
        };
        for a in per_user.results {
            let line = match a {
                ResendSecondaryEmailResult::Success(e) => format!("{e}: verification mail sent"),
                ResendSecondaryEmailResult::NotPending(e) => format!("{e}: not pending (verified)"),
                ResendSecondaryEmailResult::RateLimited(e) => {
                    format!("{e}: rate_limited, too many mails to this address; try later")
                }
                _ => "an address: a result the bridge does not know".to_owned(),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

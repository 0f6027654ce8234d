//! The OAuth scopes the bridge needs, derived from the `scope` attribute of every route it calls.

/// Every scope the bridge's Dropbox calls need; `dropbox-login` requests exactly these and `check`
/// can compare them with a token's grant. Per route (from the Dropbox spec, `team.stone`):
/// - `team_info.read`: `team/get_info`, `team/token/get_authenticated_admin` (`check`, `/readyz`);
/// - `members.read`: `members/list_v2`, `members/list/continue_v2`, `members/get_info_v2`;
/// - `members.write`: `members/add_v2` and its job status, `members/set_profile_v2`, `members/suspend`,
///   `members/unsuspend`, `members/send_welcome_email`, `members/set_admin_permissions_v2`,
///   `members/secondary_emails/add`, `delete` and `resend_verification_emails`;
/// - `members.delete`: `members/remove` and its job status, `members/recover`;
/// - `groups.read`: `groups/list`, `groups/list/continue`, `groups/get_info`, `groups/members/list`
///   and its continuation;
/// - `groups.write`: `groups/create`, `groups/update`, `groups/delete`, `groups/members/add`,
///   `groups/members/remove`, `groups/job_status/get`.
pub const REQUIRED_SCOPES: &[&str] = &[
    "team_info.read",
    "members.read",
    "members.write",
    "members.delete",
    "groups.read",
    "groups.write",
];

//! Member and team routes of the facade: one method per Dropbox route, SDK types in and out.

use dropbox_sdk::team as sdk;
use dropbox_sdk::types::dbx_async::{LaunchEmptyResult, PollArg, PollEmptyResult, PollError};
use dropbox_sdk::types::team::{
    MembersAddJobStatusV2Result, MembersAddLaunchV2Result, MembersAddV2Arg, MembersDeactivateArg,
    MembersGetInfoError, MembersGetInfoV2Arg, MembersGetInfoV2Result, MembersListArg,
    MembersListContinueArg, MembersListContinueError, MembersListError, MembersListV2Result,
    MembersRecoverArg, MembersRecoverError, MembersRemoveArg, MembersRemoveError,
    MembersSendWelcomeError, MembersSetPermissions2Arg, MembersSetPermissions2Error,
    MembersSetPermissions2Result, MembersSetProfileArg, MembersSetProfileError,
    MembersSuspendError, MembersUnsuspendArg, MembersUnsuspendError, TeamGetInfoResult,
    TeamMemberInfoV2Result, TokenGetAuthenticatedAdminError, TokenGetAuthenticatedAdminResult,
    UserSelectorArg,
};

use super::{DropboxClient, DropboxError, NoRouteError};
use serde::Serialize;

/// Result of a facade call with the route's typed error.
type Res<T, E> = Result<T, DropboxError<E>>;

impl DropboxClient {
    /// Records on this handle's log a call made for it by a shared (coalesced) call on another
    /// handle, so that every request of a batch lists the call in its audit record.
    pub(crate) fn record_shared<T, E: Serialize>(
        &self,
        route: &'static str,
        result: &Result<T, DropboxError<E>>,
    ) {
        self.record(route, result);
    }

    /// `members/add_v2`: invite up to 20 members; per-item failures come back inside `Ok`.
    /// Never re-sent after a 5xx or timeout (see [`super::retry`]).
    pub async fn members_add_v2(
        &self,
        arg: &MembersAddV2Arg,
    ) -> Res<MembersAddLaunchV2Result, NoRouteError> {
        self.call_untyped("members/add_v2", sdk::members_add_v2(self.sdk(), arg))
            .await
    }

    /// `members/add/job_status/get_v2`: one poll of an add job.
    pub async fn members_add_job_status_get_v2(
        &self,
        arg: &PollArg,
    ) -> Res<MembersAddJobStatusV2Result, PollError> {
        let fut = sdk::members_add_job_status_get_v2(self.sdk(), arg);
        self.call("members/add/job_status/get_v2", fut).await
    }

    /// `members/get_info_v2`: unknown selectors come back as per-item `id_not_found`.
    pub async fn members_get_info_v2(
        &self,
        arg: &MembersGetInfoV2Arg,
    ) -> Res<MembersGetInfoV2Result, MembersGetInfoError> {
        let fut = sdk::members_get_info_v2(self.sdk(), arg);
        self.call("members/get_info_v2", fut).await
    }

    /// `members/list_v2`: the first page of members.
    pub async fn members_list_v2(
        &self,
        arg: &MembersListArg,
    ) -> Res<MembersListV2Result, MembersListError> {
        self.call("members/list_v2", sdk::members_list_v2(self.sdk(), arg))
            .await
    }

    /// `members/list/continue_v2`: the next page; `invalid_cursor` when the cursor is stale.
    pub async fn members_list_continue_v2(
        &self,
        arg: &MembersListContinueArg,
    ) -> Res<MembersListV2Result, MembersListContinueError> {
        let fut = sdk::members_list_continue_v2(self.sdk(), arg);
        self.call("members/list/continue_v2", fut).await
    }

    /// `members/set_profile_v2`: change email, names or ids; returns the updated member.
    pub async fn members_set_profile_v2(
        &self,
        arg: &MembersSetProfileArg,
    ) -> Res<TeamMemberInfoV2Result, MembersSetProfileError> {
        let fut = sdk::members_set_profile_v2(self.sdk(), arg);
        self.call("members/set_profile_v2", fut).await
    }

    /// `members/suspend`. After a retried call, `suspend_inactive_user` may mean it succeeded.
    pub async fn members_suspend(
        &self,
        arg: &MembersDeactivateArg,
    ) -> Res<(), MembersSuspendError> {
        self.call("members/suspend", sdk::members_suspend(self.sdk(), arg))
            .await
    }

    /// `members/unsuspend`. `unsuspend_non_suspended_member` may mean an earlier attempt succeeded.
    pub async fn members_unsuspend(
        &self,
        arg: &MembersUnsuspendArg,
    ) -> Res<(), MembersUnsuspendError> {
        self.call("members/unsuspend", sdk::members_unsuspend(self.sdk(), arg))
            .await
    }

    /// `members/remove`: launch a removal (may be async; see `remove_member_wait`).
    pub async fn members_remove(
        &self,
        arg: &MembersRemoveArg,
    ) -> Res<LaunchEmptyResult, MembersRemoveError> {
        self.call("members/remove", sdk::members_remove(self.sdk(), arg))
            .await
    }

    /// `members/remove/job_status/get`: one poll of a removal job.
    pub async fn members_remove_job_status_get(
        &self,
        arg: &PollArg,
    ) -> Res<PollEmptyResult, PollError> {
        let fut = sdk::members_remove_job_status_get(self.sdk(), arg);
        self.call("members/remove/job_status/get", fut).await
    }

    /// `members/recover`: bring back a recently removed member.
    pub async fn members_recover(&self, arg: &MembersRecoverArg) -> Res<(), MembersRecoverError> {
        self.call("members/recover", sdk::members_recover(self.sdk(), arg))
            .await
    }

    /// `members/send_welcome_email`: resend the invitation (a no-op for non-invited members).
    pub async fn members_send_welcome_email(
        &self,
        arg: &UserSelectorArg,
    ) -> Res<(), MembersSendWelcomeError> {
        let fut = sdk::members_send_welcome_email(self.sdk(), arg);
        self.call("members/send_welcome_email", fut).await
    }

    /// `members/set_admin_permissions_v2`: set (or clear) the member's admin role.
    pub async fn members_set_admin_permissions_v2(
        &self,
        arg: &MembersSetPermissions2Arg,
    ) -> Res<MembersSetPermissions2Result, MembersSetPermissions2Error> {
        let fut = sdk::members_set_admin_permissions_v2(self.sdk(), arg);
        self.call("members/set_admin_permissions_v2", fut).await
    }

    /// `get_info`: team name, id, licenses and policies.
    pub async fn team_get_info(&self) -> Res<TeamGetInfoResult, NoRouteError> {
        self.call_untyped("get_info", sdk::get_info(self.sdk()))
            .await
    }

    /// `token/get_authenticated_admin`: the admin behind the token (a cheap credentials check).
    pub async fn token_get_authenticated_admin(
        &self,
    ) -> Res<TokenGetAuthenticatedAdminResult, TokenGetAuthenticatedAdminError> {
        let fut = sdk::token_get_authenticated_admin(self.sdk());
        self.call("token/get_authenticated_admin", fut).await
    }
}

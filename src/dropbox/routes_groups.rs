//! Group routes of the facade: one method per Dropbox route, SDK types in and out.

use dropbox_sdk::team as sdk;
use dropbox_sdk::types::dbx_async::{LaunchEmptyResult, PollArg, PollEmptyResult};
use dropbox_sdk::types::team::{
    GroupCreateArg, GroupCreateError, GroupDeleteError, GroupFullInfo, GroupMembersAddArg,
    GroupMembersAddError, GroupMembersChangeResult, GroupMembersRemoveArg, GroupMembersRemoveError,
    GroupSelector, GroupSelectorError, GroupUpdateArgs, GroupUpdateError, GroupsGetInfoError,
    GroupsGetInfoResult, GroupsListArg, GroupsListContinueArg, GroupsListContinueError,
    GroupsListResult, GroupsMembersListArg, GroupsMembersListContinueArg,
    GroupsMembersListContinueError, GroupsMembersListResult, GroupsPollError, GroupsSelector,
};

use super::{DropboxClient, DropboxError, NoRouteError};

/// Result of a facade call with the route's typed error.
type Res<T, E> = Result<T, DropboxError<E>>;

impl DropboxClient {
    /// `groups/create`. Never re-sent after a 5xx or timeout (see [`super::retry`]).
    pub async fn groups_create(
        &self,
        arg: &GroupCreateArg,
    ) -> Res<GroupFullInfo, GroupCreateError> {
        self.call("groups/create", sdk::groups_create(self.sdk(), arg))
            .await
    }

    /// `groups/get_info`: one item per selector, `id_not_found` for misses.
    pub async fn groups_get_info(
        &self,
        arg: &GroupsSelector,
    ) -> Res<GroupsGetInfoResult, GroupsGetInfoError> {
        self.call("groups/get_info", sdk::groups_get_info(self.sdk(), arg))
            .await
    }

    /// `groups/list`: the first page of groups.
    pub async fn groups_list(&self, arg: &GroupsListArg) -> Res<GroupsListResult, NoRouteError> {
        self.call_untyped("groups/list", sdk::groups_list(self.sdk(), arg))
            .await
    }

    /// `groups/list/continue`: the next page; `invalid_cursor` when the cursor is stale.
    pub async fn groups_list_continue(
        &self,
        arg: &GroupsListContinueArg,
    ) -> Res<GroupsListResult, GroupsListContinueError> {
        let fut = sdk::groups_list_continue(self.sdk(), arg);
        self.call("groups/list/continue", fut).await
    }

    /// `groups/update`: rename, change external id or management type.
    pub async fn groups_update(
        &self,
        arg: &GroupUpdateArgs,
    ) -> Res<GroupFullInfo, GroupUpdateError> {
        self.call("groups/update", sdk::groups_update(self.sdk(), arg))
            .await
    }

    /// `groups/delete`: launch a deletion (may be async; see `groups_delete_wait`).
    pub async fn groups_delete(
        &self,
        arg: &GroupSelector,
    ) -> Res<LaunchEmptyResult, GroupDeleteError> {
        self.call("groups/delete", sdk::groups_delete(self.sdk(), arg))
            .await
    }

    /// `groups/members/add`. After a retried call, `duplicate_user` may mean it succeeded.
    pub async fn groups_members_add(
        &self,
        arg: &GroupMembersAddArg,
    ) -> Res<GroupMembersChangeResult, GroupMembersAddError> {
        let fut = sdk::groups_members_add(self.sdk(), arg);
        self.call("groups/members/add", fut).await
    }

    /// `groups/members/remove`. After a retried call, `member_not_in_group` may mean it succeeded.
    pub async fn groups_members_remove(
        &self,
        arg: &GroupMembersRemoveArg,
    ) -> Res<GroupMembersChangeResult, GroupMembersRemoveError> {
        let fut = sdk::groups_members_remove(self.sdk(), arg);
        self.call("groups/members/remove", fut).await
    }

    /// `groups/members/list`: the first page of a group's members.
    pub async fn groups_members_list(
        &self,
        arg: &GroupsMembersListArg,
    ) -> Res<GroupsMembersListResult, GroupSelectorError> {
        let fut = sdk::groups_members_list(self.sdk(), arg);
        self.call("groups/members/list", fut).await
    }

    /// `groups/members/list/continue`: the next page of a group's members.
    pub async fn groups_members_list_continue(
        &self,
        arg: &GroupsMembersListContinueArg,
    ) -> Res<GroupsMembersListResult, GroupsMembersListContinueError> {
        let fut = sdk::groups_members_list_continue(self.sdk(), arg);
        self.call("groups/members/list/continue", fut).await
    }

    /// `groups/job_status/get`: one poll of a group job.
    pub async fn groups_job_status_get(
        &self,
        arg: &PollArg,
    ) -> Res<PollEmptyResult, GroupsPollError> {
        let fut = sdk::groups_job_status_get(self.sdk(), arg);
        self.call("groups/job_status/get", fut).await
    }
}

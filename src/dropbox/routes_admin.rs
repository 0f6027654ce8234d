//! Admin-role, secondary e-mail and space-limit routes of the facade: SDK types in and out.
//!
//! Per-user and per-address failures of the batch routes come back inside `Ok`; the caller reads
//! each result. `members/set_admin_permissions_v2` lives with the other member routes.

use dropbox_sdk::team as sdk;
use dropbox_sdk::types::team::{
    AddSecondaryEmailsArg, AddSecondaryEmailsError, AddSecondaryEmailsResult, CustomQuotaError,
    CustomQuotaResult, CustomQuotaUsersArg, DeleteSecondaryEmailsArg, DeleteSecondaryEmailsResult,
    MembersGetAvailableTeamMemberRolesResult, RemoveCustomQuotaResult, ResendVerificationEmailArg,
    ResendVerificationEmailResult, SetCustomQuotaArg, SetCustomQuotaError,
};

use super::{DropboxClient, DropboxError, NoRouteError};

/// Result of a facade call with the route's typed error.
type Res<T, E> = Result<T, DropboxError<E>>;

impl DropboxClient {
    /// `members/get_available_team_member_roles`: the role ids `set_admin_permissions_v2` accepts.
    pub async fn members_get_available_team_member_roles(
        &self,
    ) -> Res<MembersGetAvailableTeamMemberRolesResult, NoRouteError> {
        let fut = sdk::members_get_available_team_member_roles(self.sdk());
        self.call_untyped("members/get_available_team_member_roles", fut)
            .await
    }

    /// `members/secondary_emails/add`: at most 20 addresses per call; one result per user and address.
    pub async fn members_secondary_emails_add(
        &self,
        arg: &AddSecondaryEmailsArg,
    ) -> Res<AddSecondaryEmailsResult, AddSecondaryEmailsError> {
        let fut = sdk::members_secondary_emails_add(self.sdk(), arg);
        self.call("members/secondary_emails/add", fut).await
    }

    /// `members/secondary_emails/delete`: a repeat answers `not_found` for what is already gone.
    pub async fn members_secondary_emails_delete(
        &self,
        arg: &DeleteSecondaryEmailsArg,
    ) -> Res<DeleteSecondaryEmailsResult, NoRouteError> {
        let fut = sdk::members_secondary_emails_delete(self.sdk(), arg);
        self.call_untyped("members/secondary_emails/delete", fut)
            .await
    }

    /// `members/secondary_emails/resend_verification_emails`: `not_pending` for verified addresses.
    pub async fn members_secondary_emails_resend_verification_emails(
        &self,
        arg: &ResendVerificationEmailArg,
    ) -> Res<ResendVerificationEmailResult, NoRouteError> {
        let fut = sdk::members_secondary_emails_resend_verification_emails(self.sdk(), arg);
        self.call_untyped("members/secondary_emails/resend_verification_emails", fut)
            .await
    }

    /// `member_space_limits/set_custom_quota`: at least 2 GB each, at most 1000 users per call.
    pub async fn member_space_limits_set_custom_quota(
        &self,
        arg: &SetCustomQuotaArg,
    ) -> Res<Vec<CustomQuotaResult>, SetCustomQuotaError> {
        let fut = sdk::member_space_limits_set_custom_quota(self.sdk(), arg);
        self.call("member_space_limits/set_custom_quota", fut).await
    }

    /// `member_space_limits/remove_custom_quota`: back to the team's default limit.
    pub async fn member_space_limits_remove_custom_quota(
        &self,
        arg: &CustomQuotaUsersArg,
    ) -> Res<Vec<RemoveCustomQuotaResult>, CustomQuotaError> {
        let fut = sdk::member_space_limits_remove_custom_quota(self.sdk(), arg);
        self.call("member_space_limits/remove_custom_quota", fut)
            .await
    }

    /// `member_space_limits/get_custom_quota`: `quota_gb` is absent for users without a custom quota.
    pub async fn member_space_limits_get_custom_quota(
        &self,
        arg: &CustomQuotaUsersArg,
    ) -> Res<Vec<CustomQuotaResult>, CustomQuotaError> {
        let fut = sdk::member_space_limits_get_custom_quota(self.sdk(), arg);
        self.call("member_space_limits/get_custom_quota", fut).await
    }
}

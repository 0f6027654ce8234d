//! `Refusal`: the Dropbox route-error tags a SCIM client (or an operator) can act on, and the one
//! table of their messages, including the `[deprovision]` key each `members/remove` refusal names.

use crate::scim::error::ScimError;

/// A Dropbox refusal the SCIM client can act on. [`Refusal::scim`] holds their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The user is not (or no longer) a member of the team.
    MemberNotFound,
    /// The group does not exist.
    GroupNotFound,
    /// The e-mail is already a member of this team.
    EmailTaken,
    /// The e-mail belongs to a member of another team.
    EmailOnAnotherTeam,
    /// Another member has the externalId.
    MemberExternalIdTaken,
    /// Another group has the displayName.
    GroupNameTaken,
    /// Another group has the externalId.
    GroupExternalIdTaken,
    /// The team has no free licence.
    NoLicence,
    /// The group is managed by Dropbox itself.
    SystemGroup,
    /// The change would leave the team without an active admin.
    LastAdmin,
    /// Dropbox refused the group name.
    GroupNameInvalid,
    /// The transfer destination is not a member of the team (`deprovision.transfer_dest`).
    TransferDestNotMember,
    /// The member being removed is its own transfer destination.
    TransferDestIsRemoved,
    /// The transfer destination has not verified its e-mail address.
    TransferDestUnverified,
    /// `deprovision.transfer_admin` is unset or not a member of the team.
    TransferAdminNotMember,
    /// `deprovision.transfer_admin` is a member but not a team admin.
    TransferAdminNotAdmin,
    /// The member being removed is `deprovision.transfer_admin`.
    TransferAdminIsRemoved,
    /// Dropbox cannot keep this member as a Basic account (`deprovision.keep_account`).
    KeepAccountRefused,
    /// `deprovision.retain_team_shares` needs external sharing on in the team's settings.
    RetainSharesRefused,
    /// The member receives the files of another member's removal still in progress.
    TransferInProgress,
}

impl Refusal {
    /// The refusal a Dropbox route error tag stands for, if the bridge knows the tag.
    pub fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "user_not_found" | "user_not_in_team" | "id_not_found" => Self::MemberNotFound,
            "group_not_found" | "group_already_deleted" => Self::GroupNotFound,
            "user_already_on_team" | "email_reserved_for_other_user" => Self::EmailTaken,
            "user_on_another_team" => Self::EmailOnAnotherTeam,
            "duplicate_external_member_id" | "external_id_used_by_other_user" => {
                Self::MemberExternalIdTaken
            }
            "group_name_already_used" => Self::GroupNameTaken,
            "external_id_already_in_use" => Self::GroupExternalIdTaken,
            "team_license_limit" | "free_team_member_limit_reached" => Self::NoLicence,
            "system_managed_group_disallowed" => Self::SystemGroup,
            "suspend_last_admin" | "remove_last_admin" | "last_admin" => Self::LastAdmin,
            "group_name_invalid" => Self::GroupNameInvalid,
            "transfer_dest_user_not_found" | "transfer_dest_user_not_in_team" => {
                Self::TransferDestNotMember
            }
            "removed_and_transfer_dest_should_differ" => Self::TransferDestIsRemoved,
            "recipient_not_verified" => Self::TransferDestUnverified,
            "transfer_admin_user_not_found"
            | "transfer_admin_user_not_in_team"
            | "unspecified_transfer_admin_id" => Self::TransferAdminNotMember,
            "transfer_admin_is_not_admin" => Self::TransferAdminNotAdmin,
            "removed_and_transfer_admin_should_differ" => Self::TransferAdminIsRemoved,
            "cannot_keep_account"
            | "cannot_keep_account_under_legal_hold"
            | "cannot_keep_account_required_to_sign_tos"
            | "cannot_keep_account_and_transfer"
            | "cannot_keep_account_and_delete_data"
            | "email_address_too_long_to_be_disabled" => Self::KeepAccountRefused,
            "cannot_retain_shares_when_team_external_sharing_off"
            | "cannot_retain_shares_when_data_wiped"
            | "cannot_retain_shares_when_no_account_kept" => Self::RetainSharesRefused,
            "member_is_transfer_destination" => Self::TransferInProgress,
            _ => return None,
        })
    }

    /// The SCIM error the client sees: the one table of these messages.
    pub fn scim(self) -> ScimError {
        match self {
            Self::MemberNotFound => {
                ScimError::not_found("the user is not a member of the Dropbox team")
            }
            Self::GroupNotFound => ScimError::not_found("the group does not exist in Dropbox"),
            Self::EmailTaken => ScimError::uniqueness(
                "a Dropbox team member with this userName (e-mail) already exists",
            ),
            Self::EmailOnAnotherTeam => {
                ScimError::uniqueness("this e-mail belongs to a member of another Dropbox team")
            }
            Self::MemberExternalIdTaken => {
                ScimError::uniqueness("another Dropbox team member already has this externalId")
            }
            Self::GroupNameTaken => {
                ScimError::uniqueness("a Dropbox group with this displayName already exists")
            }
            Self::GroupExternalIdTaken => {
                ScimError::uniqueness("another Dropbox group already has this externalId")
            }
            Self::NoLicence => ScimError::forbidden(
                "the Dropbox team has no free licence: add licences or remove members, then retry",
            ),
            Self::SystemGroup => ScimError::mutability(
                "this group is managed by Dropbox itself (for example Everyone) and cannot be changed",
            ),
            // A conflict with the team's state, as the role path answers it (issue 14): 409.
            Self::LastAdmin => ScimError::new(
                409,
                None,
                "this is the team's last active admin; Dropbox refuses to lock the team out: make \
                 another member team admin first",
            ),
            Self::GroupNameInvalid => {
                ScimError::invalid_value("Dropbox refused the group's displayName")
            }
            Self::TransferInProgress => ScimError::new(
                409,
                None,
                "Dropbox is still moving another removed member's files to this member; retry \
                 after that transfer completes (a deferred removal retries by itself)",
            ),
            Self::TransferDestNotMember
            | Self::TransferDestIsRemoved
            | Self::TransferDestUnverified
            | Self::TransferAdminNotMember
            | Self::TransferAdminNotAdmin
            | Self::TransferAdminIsRemoved
            | Self::KeepAccountRefused
            | Self::RetainSharesRefused => {
                ScimError::forbidden(self.removal_detail().unwrap_or_default())
            }
        }
    }

    /// For a refusal of `members/remove` caused by the `[deprovision]` settings, what to fix,
    /// naming the config key; `None` for the others.
    pub fn removal_detail(self) -> Option<&'static str> {
        Some(match self {
            Self::TransferDestNotMember => {
                "the transfer destination (deprovision.transfer_dest, or the user's manager) is \
                 not a member of the Dropbox team; set deprovision.transfer_dest to an active \
                 member, or run `pending --retry ID --transfer-dest EMAIL`"
            }
            Self::TransferDestIsRemoved => {
                "the user being removed is its own transfer destination (deprovision.transfer_dest \
                 or the user's manager); run `pending --retry ID --transfer-dest EMAIL` with \
                 another member"
            }
            Self::TransferDestUnverified => {
                "the transfer destination (deprovision.transfer_dest, or the user's manager) has \
                 not verified its e-mail address in Dropbox"
            }
            Self::TransferAdminNotMember => {
                "deprovision.transfer_admin is not set or is not a member of the Dropbox team; \
                 set it to a team admin's e-mail"
            }
            Self::TransferAdminNotAdmin => {
                "deprovision.transfer_admin is not a Dropbox team admin; set it to a team admin's \
                 e-mail"
            }
            Self::TransferAdminIsRemoved => {
                "the user being removed is deprovision.transfer_admin; set another team admin"
            }
            Self::KeepAccountRefused => {
                "Dropbox cannot keep this member as a Basic account (deprovision.keep_account): \
                 legal hold, terms of service not signed, or an e-mail too long; remove it \
                 without keep_account"
            }
            Self::RetainSharesRefused => {
                "deprovision.retain_team_shares needs keep_account, wipe_data = false and \
                 external sharing enabled in the team's settings"
            }
            _ => return None,
        })
    }
}

//! SCIM User <-> Dropbox member: rendering a member (plus the stored extras) as a SCIM user, and
//! splitting a SCIM user into what Dropbox holds and what the store keeps.

use crate::bridge::limits;
use crate::dropbox::team::{TeamMemberProfile, TeamMemberStatus};
use crate::scim::resource::{Enterprise, Meta, MultiValue, Name, ScimUser};
use crate::store::{Enterprise as StoredEnterprise, InactiveInvite, StoredMultiValue, UserExtras};
use chrono::{DateTime, Utc};

/// What Dropbox itself holds of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropboxFields {
    /// The login e-mail (`userName`).
    pub email: String,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub surname: Option<String>,
    /// `externalId`.
    pub external_id: Option<String>,
    /// The admin role ids to invite with (`[roles]`); only set when inviting.
    pub role_ids: Option<Vec<String>>,
}

impl DropboxFields {
    /// Takes the Dropbox-held fields of a SCIM user. The Dropbox e-mail is `userName` when that is an
    /// e-mail address, otherwise the primary (or first) address in `emails`.
    pub fn of(user: &ScimUser) -> Self {
        Self {
            email: dropbox_email(user).unwrap_or_else(|| user.user_name.trim().to_owned()),
            given_name: non_empty(&user.name.given_name),
            surname: non_empty(&user.name.family_name),
            external_id: non_empty(&user.external_id),
            role_ids: None,
        }
    }

    /// The Dropbox-held fields of a member profile.
    pub fn of_profile(p: &TeamMemberProfile) -> Self {
        Self {
            email: p.email.clone(),
            given_name: Some(p.name.given_name.clone()).filter(|s| !s.is_empty()),
            surname: Some(p.name.surname.clone()).filter(|s| !s.is_empty()),
            external_id: p.external_id.clone().filter(|s| !s.is_empty()),
            role_ids: None,
        }
    }
}

/// The address Dropbox will know the user by, if the user has one.
pub fn dropbox_email(user: &ScimUser) -> Option<String> {
    let user_name = user.user_name.trim();
    if limits::check_email("userName", user_name).is_ok() {
        return Some(user_name.to_owned());
    }
    let mut emails: Vec<_> = user.emails.iter().collect();
    emails.sort_by_key(|e| !e.primary);
    emails
        .into_iter()
        .map(|e| e.value.trim())
        .find(|v| limits::check_email("emails.value", v).is_ok())
        .map(str::to_owned)
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The extras the store keeps for a SCIM user (everything Dropbox cannot hold).
pub fn extras_of(user: &ScimUser) -> UserExtras {
    let e = &user.enterprise;
    let to_stored = |m: &MultiValue| StoredMultiValue {
        value: m.value.clone(),
        kind: m.kind.clone(),
        primary: m.primary,
    };
    UserExtras {
        display_name: user.display_name.clone(),
        title: user.title.clone(),
        phone_numbers: user.phone_numbers.iter().map(to_stored).collect(),
        enterprise: (!e.is_empty()).then(|| StoredEnterprise {
            employee_number: e.employee_number.clone(),
            department: e.department.clone(),
            cost_center: e.cost_center.clone(),
            organization: e.organization.clone(),
            division: e.division.clone(),
            manager_id: e.manager.clone(),
        }),
        emails: user.emails.iter().map(to_stored).collect(),
        name_formatted: user.name.formatted.clone(),
        user_name: dropbox_email(user)
            .filter(|email| !email.eq_ignore_ascii_case(user.user_name.trim()))
            .map(|_| user.user_name.trim().to_owned()),
        stored: user.stored.clone(),
        space_limit_gb: user.space_limit_gb,
        created_at: None,
        updated_at: None,
    }
}

/// Whether a member status counts as provisioned (`active: true`).
pub fn is_active(status: &TeamMemberStatus) -> bool {
    matches!(status, TeamMemberStatus::Active | TeamMemberStatus::Invited)
}

/// Renders a Dropbox member (with the store's extras) as a SCIM user under `scim_id`.
pub fn user_from_member(
    scim_id: &str,
    p: &TeamMemberProfile,
    extras: Option<&UserExtras>,
) -> ScimUser {
    // The earliest time known: the invitation, the join, or when the bridge first knew the user (which
    // outlives a withdrawn invitation), so that `meta.created` never moves.
    let created = dropbox_created(p)
        .into_iter()
        .chain(extras.and_then(|x| x.created_at))
        .min();
    let mut user = base_user(
        scim_id,
        DropboxFields::of_profile(p),
        extras,
        is_active(&p.status),
    );
    user.meta = Meta {
        created,
        last_modified: last_modified(created, extras),
        version: None,
    };
    user
}

/// The earlier of the member's invitation and join times, as Dropbox reports them.
pub(crate) fn dropbox_created(p: &TeamMemberProfile) -> Option<DateTime<Utc>> {
    [p.invited_on.as_deref(), p.joined_on.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(parse_time)
        .min()
}

/// The later of `created` and the last write of the user's extras.
fn last_modified(
    created: Option<DateTime<Utc>>,
    extras: Option<&UserExtras>,
) -> Option<DateTime<Utc>> {
    match (created, extras.and_then(|x| x.updated_at)) {
        (Some(c), Some(u)) => Some(c.max(u)),
        (c, u) => c.or(u),
    }
}

/// Renders a user deactivated while invited (kept by the bridge, not in Dropbox) as `active: false`.
pub fn user_from_invite(inv: &InactiveInvite, extras: Option<&UserExtras>) -> ScimUser {
    let fields = DropboxFields {
        email: inv.email.clone(),
        given_name: inv.given_name.clone(),
        surname: inv.family_name.clone(),
        external_id: inv.external_id.clone(),
        role_ids: None,
    };
    let mut user = base_user(&inv.scim_id, fields, extras, false);
    let created = extras
        .and_then(|x| x.created_at)
        .map_or(inv.deactivated_at, |c| c.min(inv.deactivated_at));
    user.meta = Meta {
        created: Some(created),
        last_modified: Some(
            last_modified(Some(created), extras)
                .unwrap_or(created)
                .max(inv.deactivated_at),
        ),
        version: None,
    };
    user
}

fn base_user(
    scim_id: &str,
    f: DropboxFields,
    extras: Option<&UserExtras>,
    active: bool,
) -> ScimUser {
    let from_stored = |p: &StoredMultiValue| MultiValue {
        value: p.value.clone(),
        kind: p.kind.clone(),
        primary: p.primary,
    };
    let x = extras.cloned().unwrap_or_default();
    let emails = if x.emails.is_empty() {
        vec![MultiValue {
            value: f.email.clone(),
            kind: Some("work".to_owned()),
            primary: true,
        }]
    } else {
        x.emails.iter().map(from_stored).collect()
    };
    let enterprise = x
        .enterprise
        .map(|e| Enterprise {
            employee_number: e.employee_number,
            cost_center: e.cost_center,
            organization: e.organization,
            division: e.division,
            department: e.department,
            manager: e.manager_id,
        })
        .unwrap_or_default();
    ScimUser {
        id: Some(scim_id.to_owned()),
        external_id: f.external_id,
        user_name: x.user_name.clone().unwrap_or(f.email),
        name: Name {
            given_name: f.given_name,
            family_name: f.surname,
            formatted: x.name_formatted,
        },
        display_name: x.display_name,
        title: x.title,
        active: Some(active),
        emails,
        phone_numbers: x.phone_numbers.iter().map(from_stored).collect(),
        enterprise,
        stored: x.stored,
        groups: Vec::new(),
        space_limit_gb: x.space_limit_gb,
        meta: Meta::default(),
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

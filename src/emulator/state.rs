//! The emulator's in-memory team model: members, groups, tokens, jobs, clock and fault settings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;

use super::EmulatorConfig;
use super::auth::Token;
use super::call_log::CallLog;
use super::faults::FaultState;
use super::jobs::Jobs;

/// How long a removed member stays recoverable.
pub(crate) const RECOVERY_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// A member's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Invited,
    Active,
    Suspended,
    Removed {
        recoverable: bool,
        disconnected: bool,
    },
}

/// The admin tier of a member, also reachable through the v2 role ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    TeamAdmin,
    UserManagementAdmin,
    SupportAdmin,
    BillingAdmin,
    MemberOnly,
}

/// A secondary e-mail of a member: the address, whether it is verified, and verification mails sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecondaryEmail {
    pub email: String,
    pub verified: bool,
    pub mails_sent: u32,
}

/// One team member as the emulator stores it.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub email_verified: bool,
    pub given_name: String,
    pub surname: String,
    pub external_id: Option<String>,
    pub persistent_id: Option<String>,
    pub is_directory_restricted: Option<bool>,
    pub status: Status,
    pub role: Role,
    pub invited_on: Option<DateTime<Utc>>,
    pub joined_on: Option<DateTime<Utc>>,
    pub suspended_on: Option<DateTime<Utc>>,
    pub removed_on: Option<DateTime<Utc>>,
    pub member_folder_id: String,
    pub root_folder_id: String,
    pub seq: u64,
    /// Secondary e-mails in the order they were added.
    pub secondary_emails: Vec<SecondaryEmail>,
    /// The member's custom space limit in GB, if one is set.
    pub custom_quota_gb: Option<u32>,
}

impl Member {
    /// True while the member holds a seat (invited, active or suspended).
    pub fn is_provisioned(&self) -> bool {
        !matches!(self.status, Status::Removed { .. })
    }

    /// True when a removed member can still be recovered at `now`.
    pub fn is_recoverable_at(&self, now: DateTime<Utc>) -> bool {
        match (self.status, self.removed_on) {
            (
                Status::Removed {
                    recoverable: true, ..
                },
                Some(at),
            ) => now.signed_duration_since(at).to_std().unwrap_or_default() < RECOVERY_WINDOW,
            _ => false,
        }
    }

    /// True when the member still reserves its email/external id (seat holders and recoverable removed).
    pub fn reserves_identity(&self, now: DateTime<Utc>) -> bool {
        self.is_provisioned() || self.is_recoverable_at(now)
    }
}

/// How a group is managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mgmt {
    User,
    Company,
    System,
}

/// Access level of a group member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Member,
    Owner,
}

/// One group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: String,
    pub name: String,
    pub external_id: Option<String>,
    pub mgmt: Mgmt,
    pub created_ms: u64,
    /// Explicit members in insertion order; removed members stay here (hidden) so recover restores them.
    pub members: Vec<(String, Access)>,
    pub seq: u64,
}

/// The whole emulated team plus the transport knobs, guarded by one mutex.
pub(crate) struct Model {
    pub cfg: EmulatorConfig,
    pub team_id: String,
    pub clock_offset: chrono::Duration,
    pub seq: u64,
    pub members: Vec<Member>,
    pub groups: Vec<Group>,
    pub deleted_groups: HashSet<String>,
    pub other_team_emails: HashSet<String>,
    pub admin_id: String,
    pub tokens: HashMap<String, Token>,
    pub oauth: super::oauth::OAuthState,
    pub jobs: Jobs,
    pub cursor_key: String,
    pub faults: FaultState,
    pub stats: BTreeMap<String, u64>,
    pub calls: CallLog,
    /// The team's verified domains: secondary e-mails there are verified at once.
    pub verified_domains: HashSet<String>,
    /// Whether the team allows secondary e-mails (`secondary_emails_disabled` otherwise).
    pub secondary_emails_enabled: bool,
    /// Members on the space-limit excluded list (`some_users_are_excluded`).
    pub quota_excluded: HashSet<String>,
}

/// A random alphanumeric string of `len` characters.
pub(crate) fn random_chars(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A random numeric string, used for namespace ids.
pub(crate) fn random_digits(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|i| char::from(b'0' + rng.gen_range(u8::from(i == 0)..10)))
        .collect()
}

/// Formats a timestamp the way Dropbox does (`%Y-%m-%dT%H:%M:%SZ`).
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Model {
    /// A fresh team: the seeded admin, the optional "Everyone" group, and the static token.
    pub fn new(cfg: EmulatorConfig) -> Self {
        let mut model = Model {
            team_id: format!("dbtid:AA{}", random_chars(33)),
            clock_offset: chrono::Duration::zero(),
            seq: 0,
            members: Vec::new(),
            groups: Vec::new(),
            deleted_groups: HashSet::new(),
            other_team_emails: HashSet::new(),
            admin_id: String::new(),
            tokens: HashMap::new(),
            oauth: Default::default(),
            jobs: Jobs::default(),
            cursor_key: random_chars(24),
            faults: FaultState::default(),
            stats: BTreeMap::new(),
            calls: CallLog::default(),
            verified_domains: HashSet::new(),
            secondary_emails_enabled: true,
            quota_excluded: HashSet::new(),
            cfg,
        };
        // The admin's own domain is the team's verified domain until a test says otherwise.
        if let Some((_, domain)) = model.cfg.admin_email.rsplit_once('@') {
            model.verified_domains.insert(domain.to_ascii_lowercase());
        }
        let email = model.cfg.admin_email.clone();
        let admin = model.new_member(&email, "Team", "Admin", Role::TeamAdmin);
        let now = model.now();
        if let Some(m) = model.member_mut(&admin) {
            m.status = Status::Active;
            m.email_verified = true;
            m.invited_on = None;
            m.joined_on = Some(now);
        }
        model.admin_id = admin;
        if model.cfg.seed_system_group {
            let seq = model.next_seq();
            model.groups.push(Group {
                id: format!("g:{}", hex::encode(rand::thread_rng().r#gen::<[u8; 16]>())),
                name: "Everyone".into(),
                external_id: None,
                mgmt: Mgmt::System,
                created_ms: model.now_ms(),
                members: Vec::new(),
                seq,
            });
        }
        if let Some(tok) = model.cfg.static_token.clone() {
            model.tokens.insert(tok, Token::team_all(None));
        }
        model
    }

    /// The emulator clock: wall time plus whatever tests advanced it by.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    /// The emulator clock in milliseconds since the epoch.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.now().timestamp_millis()).unwrap_or(0)
    }

    /// A strictly increasing sequence number for stable list order.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Creates an invited member with fresh ids and returns its team_member_id.
    pub fn new_member(&mut self, email: &str, given: &str, surname: &str, role: Role) -> String {
        let id = format!("dbmid:AA{}", random_chars(33));
        let seq = self.next_seq();
        let now = self.now();
        self.members.push(Member {
            id: id.clone(),
            account_id: format!("dbid:AA{}", random_chars(33)),
            email: email.to_string(),
            email_verified: false,
            given_name: given.to_string(),
            surname: surname.to_string(),
            external_id: None,
            persistent_id: None,
            is_directory_restricted: None,
            status: Status::Invited,
            role,
            invited_on: Some(now),
            joined_on: None,
            suspended_on: None,
            removed_on: None,
            member_folder_id: random_digits(10),
            root_folder_id: random_digits(10),
            seq,
            secondary_emails: Vec::new(),
            custom_quota_gb: None,
        });
        id
    }

    /// Looks a member up by team_member_id.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// Looks a member up by team_member_id, mutably.
    pub fn member_mut(&mut self, id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    /// Seats in use: invited + active + suspended.
    pub fn provisioned(&self) -> u32 {
        u32::try_from(self.members.iter().filter(|m| m.is_provisioned()).count())
            .unwrap_or(u32::MAX)
    }

    /// True when one more seat is available.
    pub fn has_free_license(&self) -> bool {
        self.provisioned() < self.cfg.num_licensed_users
    }

    /// Number of active team admins.
    pub fn active_admins(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.status == Status::Active && m.role == Role::TeamAdmin)
            .count()
    }

    /// Ids of the groups a member belongs to, as shown in `TeamMemberProfile.groups`; takes the member
    /// itself, not its id, so that listing 100,000 members does not search the team for each.
    pub fn groups_of_member(&self, m: &Member) -> Vec<String> {
        let member_id = m.id.as_str();
        if !m.is_provisioned() {
            return Vec::new();
        }
        let mut ids: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| g.mgmt == Mgmt::System || g.members.iter().any(|(id, _)| id == member_id))
            .collect();
        ids.sort_by_key(|g| g.seq);
        ids.into_iter().map(|g| g.id.clone()).collect()
    }

    /// Visible members of a group (removed members hidden; system groups hold every seat holder).
    pub fn visible_group_members(&self, group: &Group) -> Vec<(String, Access)> {
        if group.mgmt == Mgmt::System {
            return self
                .members
                .iter()
                .filter(|m| m.is_provisioned())
                .map(|m| (m.id.clone(), Access::Member))
                .collect();
        }
        group
            .members
            .iter()
            .filter(|(id, _)| self.member(id).is_some_and(Member::is_provisioned))
            .cloned()
            .collect()
    }
}

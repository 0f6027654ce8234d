//! In-process controls and reads for roles, secondary e-mails and space limits (tests and the demo).

use super::Emulator;

impl Emulator {
    /// Replaces the team's verified domains (secondary e-mails there are verified at once).
    pub fn set_verified_domains(&self, domains: &[&str]) {
        self.lock().verified_domains = domains.iter().map(|d| d.to_ascii_lowercase()).collect();
    }

    /// Turns the team's secondary e-mail setting on or off (`secondary_emails_disabled` when off).
    pub fn set_secondary_emails_enabled(&self, enabled: bool) {
        self.lock().secondary_emails_enabled = enabled;
    }

    /// Simulates the owner clicking the verification link of a pending secondary e-mail.
    pub fn verify_secondary_email(&self, team_member_id: &str, email: &str) -> Result<(), String> {
        let mut model = self.lock();
        let m = model
            .member_mut(team_member_id)
            .ok_or_else(|| format!("no member {team_member_id}"))?;
        let s = m
            .secondary_emails
            .iter_mut()
            .find(|s| s.email.eq_ignore_ascii_case(email))
            .ok_or_else(|| format!("member {team_member_id} has no such secondary e-mail"))?;
        s.verified = true;
        Ok(())
    }

    /// Verification mails sent so far to a member's secondary e-mail (0 when it has none such).
    pub fn verification_mails_sent(&self, team_member_id: &str, email: &str) -> u32 {
        let model = self.lock();
        model
            .member(team_member_id)
            .and_then(|m| {
                m.secondary_emails
                    .iter()
                    .find(|s| s.email.eq_ignore_ascii_case(email))
            })
            .map_or(0, |s| s.mails_sent)
    }

    /// Puts a member on the space-limit excluded list (set_custom_quota then answers
    /// `some_users_are_excluded`).
    pub fn exclude_from_space_limits(&self, team_member_id: &str) {
        self.lock()
            .quota_excluded
            .insert(team_member_id.to_string());
    }

    /// The member's custom quota in GB, if one is set.
    pub fn custom_quota_gb(&self, team_member_id: &str) -> Option<u32> {
        self.lock().member(team_member_id)?.custom_quota_gb
    }
}

//! Async job table: ids namespaced per job family, `in_progress` for K polls, then the stored result.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::state::random_chars;

/// How long a job id stays pollable after it was launched [assume].
pub(crate) const JOB_TTL_SECS: i64 = 3600;

/// The routes a job can be polled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobFamily {
    MembersAdd,
    MembersRemove,
    Groups,
}

impl JobFamily {
    fn prefix(self) -> &'static str {
        match self {
            JobFamily::MembersAdd => "dbjid:madd:",
            JobFamily::MembersRemove => "dbjid:mrem:",
            JobFamily::Groups => "dbjid:grp:",
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    family: JobFamily,
    polls_left: u32,
    result: Value,
    created: DateTime<Utc>,
    /// For a `members/remove` job with a transfer: the member receiving the files.
    transfer_dest: Option<String>,
}

/// What a poll sees.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Poll {
    InProgress,
    Done(Value),
    Invalid,
}

/// All launched jobs.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    jobs: HashMap<String, Job>,
}

impl Jobs {
    /// Starts a job whose final result (the full poll union JSON) is `result`.
    pub fn launch(
        &mut self,
        family: JobFamily,
        polls: u32,
        result: Value,
        now: DateTime<Utc>,
    ) -> String {
        let id = format!("{}{}", family.prefix(), random_chars(22));
        self.jobs.insert(
            id.clone(),
            Job {
                family,
                polls_left: polls,
                result,
                created: now,
                transfer_dest: None,
            },
        );
        id
    }

    /// Records that job `id` moves files to member `dest` until it completes.
    pub fn set_transfer_dest(&mut self, id: &str, dest: &str) {
        if let Some(job) = self.jobs.get_mut(id) {
            job.transfer_dest = Some(dest.to_owned());
        }
    }

    /// Whether member `id` receives the files of a removal job that has not completed yet.
    pub fn is_transfer_destination(&self, id: &str, now: DateTime<Utc>) -> bool {
        self.jobs.values().any(|job| {
            job.polls_left > 0
                && (now - job.created).num_seconds() < JOB_TTL_SECS
                && job.transfer_dest.as_deref() == Some(id)
        })
    }

    /// Polls a job on the route of `family`.
    pub fn poll(&mut self, family: JobFamily, id: &str, now: DateTime<Utc>) -> Poll {
        let Some(job) = self.jobs.get_mut(id) else {
            return Poll::Invalid;
        };
        if job.family != family || (now - job.created).num_seconds() >= JOB_TTL_SECS {
            return Poll::Invalid;
        }
        if job.polls_left > 0 {
            job.polls_left -= 1;
            return Poll::InProgress;
        }
        Poll::Done(job.result.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_reports_in_progress_for_k_polls_then_complete() {
        let mut jobs = Jobs::default();
        let now = Utc::now();
        let id = jobs.launch(
            JobFamily::MembersRemove,
            2,
            json!({".tag": "complete"}),
            now,
        );
        assert_eq!(
            jobs.poll(JobFamily::MembersRemove, &id, now),
            Poll::InProgress
        );
        assert_eq!(
            jobs.poll(JobFamily::MembersRemove, &id, now),
            Poll::InProgress
        );
        assert_eq!(
            jobs.poll(JobFamily::MembersRemove, &id, now),
            Poll::Done(json!({".tag": "complete"}))
        );
    }

    #[test]
    fn job_ids_are_namespaced_per_family() {
        let mut jobs = Jobs::default();
        let now = Utc::now();
        let id = jobs.launch(JobFamily::MembersAdd, 0, json!({}), now);
        assert_eq!(jobs.poll(JobFamily::Groups, &id, now), Poll::Invalid);
        assert_eq!(
            jobs.poll(JobFamily::MembersAdd, "dbjid:nope", now),
            Poll::Invalid
        );
    }

    #[test]
    fn jobs_expire_after_ttl() {
        let mut jobs = Jobs::default();
        let now = Utc::now();
        let id = jobs.launch(JobFamily::Groups, 0, json!({}), now);
        let later = now + chrono::Duration::seconds(JOB_TTL_SECS);
        assert_eq!(jobs.poll(JobFamily::Groups, &id, later), Poll::Invalid);
    }
}

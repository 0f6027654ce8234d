//! The result of `check`: one line per check (name, status, detail), as text or as stable JSON.

use serde::Serialize;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to fix.
    Ok,
    /// Works, but probably not as intended; `check` still exits 0.
    Warn,
    /// Will fail at run time; `check` exits non-zero.
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One check: `name` is stable (a config key or an area such as `dropbox.scopes`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// What was checked, e.g. `deprovision.transfer_dest`.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// What was found and, for a problem, how to fix it.
    pub detail: String,
}

/// Every check of one `check` run, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    checks: Vec<CheckResult>,
}

impl Report {
    /// Adds a check.
    pub fn push(&mut self, name: impl Into<String>, status: Status, detail: impl Into<String>) {
        self.checks.push(CheckResult {
            name: name.into(),
            status,
            detail: detail.into(),
        });
    }

    /// Adds a passed check.
    pub fn ok(&mut self, name: impl Into<String>, detail: impl Into<String>) {
        self.push(name, Status::Ok, detail);
    }

    /// Adds a warning.
    pub fn warn(&mut self, name: impl Into<String>, detail: impl Into<String>) {
        self.push(name, Status::Warn, detail);
    }

    /// Adds a failed check.
    pub fn fail(&mut self, name: impl Into<String>, detail: impl Into<String>) {
        self.push(name, Status::Fail, detail);
    }

    /// The worst status of all checks (`ok` for none).
    pub fn overall(&self) -> Status {
        let has = |s| self.checks.iter().any(|c| c.status == s);
        if has(Status::Fail) {
            Status::Fail
        } else if has(Status::Warn) {
            Status::Warn
        } else {
            Status::Ok
        }
    }

    /// The failed checks, in order.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.status == Status::Fail)
    }

    /// How many checks ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// One line per check, `name: status - detail`, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            out.push_str(&format!("{}: {}", c.name, c.status.as_str()));
            if !c.detail.is_empty() {
                out.push_str(" - ");
                out.push_str(&c.detail);
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "\ncheck: {} ({} failed, {} warnings)\n",
            self.overall().as_str(),
            self.count(Status::Fail),
            self.count(Status::Warn)
        ));
        out
    }

    /// `{"status": "ok|warn|fail", "checks": [{"name", "status", "detail"}, ...]}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Shape<'a> {
            status: Status,
            checks: &'a [CheckResult],
        }
        let shape = Shape {
            status: self.overall(),
            checks: &self.checks,
        };
        serde_json::to_string_pretty(&shape).unwrap_or_default()
    }
}

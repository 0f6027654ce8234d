//! Configuration errors, and where a configuration value came from (default, file line, variable).

use std::fmt;
use std::path::PathBuf;

/// Where one effective configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The TOML config file, at this 1-based line when it is known.
    File {
        /// The file as it was given.
        path: PathBuf,
        /// The line of the key (or of its table header).
        line: Option<usize>,
    },
    /// An environment variable, by name (its value is never part of an origin).
    Env {
        /// The variable's name, e.g. `SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE`.
        var: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("built-in default"),
            Self::File {
                path,
                line: Some(line),
            } => write!(f, "{} line {line}", path.display()),
            Self::File { path, line: None } => write!(f, "{}", path.display()),
            Self::Env { var } => write!(f, "environment variable {var}"),
        }
    }
}

/// A configuration problem, naming the offending key and where its value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (the OS error is part of the message, and not repeated as a cause).
    #[error("cannot read config file {}: {error}", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// Why it could not be read.
        error: std::io::Error,
    },
    /// The TOML file is not valid TOML (the message carries the line and column).
    #[error("invalid configuration: {0}")]
    Parse(String),
    /// A key is unknown, or its value has the wrong type or is not acceptable.
    #[error("invalid configuration: `{key}`{}: {message}", in_origin(.origin.as_ref()))]
    Invalid {
        /// The dotted key, e.g. `deprovision.keep_account`, or the variable for a malformed name.
        key: String,
        /// Where the offending value came from, when one value is to blame.
        origin: Option<Origin>,
        /// What is wrong and how to fix it.
        message: String,
    },
}

fn in_origin(origin: Option<&Origin>) -> String {
    origin.map(|o| format!(" (from {o})")).unwrap_or_default()
}

impl ConfigError {
    /// A value problem under `key`, its origin still to be filled in by the loader.
    pub(crate) fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            origin: None,
            message: message.into(),
        }
    }

    /// Adds the origin of the key's value when the error does not have one yet.
    pub(super) fn with_origin(self, origin_of: impl FnOnce(&str) -> Origin) -> Self {
        match self {
            Self::Invalid {
                key,
                origin: None,
                message,
            } => {
                let origin = Some(origin_of(&key));
                Self::Invalid {
                    key,
                    origin,
                    message,
                }
            }
            other => other,
        }
    }
}

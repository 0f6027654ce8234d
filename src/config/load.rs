//! Loading: built-in defaults < TOML file < `SCIM_BRIDGE_*` variables, typed by `Config`'s own fields
//! (figment), validated, and with the origin of every effective value kept for errors and reports.

use super::env::{self, EnvLayer};
use super::file::ConfigFile;
use super::{Config, ConfigError, Origin};
use figment::Figment;
use figment::error::Kind;
use std::path::Path;

/// A loaded configuration, the variables that were ignored, and where each value came from.
pub struct LoadedConfig {
    /// The validated configuration.
    pub config: Config,
    /// Ignored `SCIM_BRIDGE_*` variables, by name only; show each to the operator once.
    pub warnings: Vec<String>,
    sources: Sources,
}

/// The file and the variables a configuration was loaded from.
struct Sources {
    file: Option<ConfigFile>,
    env: EnvLayer,
}

/// One effective configuration value, secrets redacted, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveValue {
    /// The dotted key, e.g. `deprovision.policy` or `auth.tokens[0].name`.
    pub key: String,
    /// The value as JSON; secrets and URL passwords read `[redacted]`.
    pub value: serde_json::Value,
    /// Default, file and line, or the variable's name.
    pub origin: Origin,
}

impl Config {
    /// Loads the TOML file (if any), applies the environment, and validates the result. Ignored
    /// variables are printed to stderr once, as warnings naming the variable.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Config::load`], with the environment given explicitly.
    pub fn load_from(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let loaded = Self::load_with_origins(file, vars)?;
        for warning in &loaded.warnings {
            eprintln!("warning: {warning}");
        }
        Ok(loaded.config)
    }

    /// Like [`Config::load_from`], printing nothing: the warnings and each value's origin are
    /// returned instead (for `check --print-config` and tests).
    pub fn load_with_origins(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<LoadedConfig, ConfigError> {
        let file = file.map(ConfigFile::read).transpose()?;
        let env = env::read(vars)?;
        let mut figment = Figment::new();
        if let Some(file) = &file {
            figment = figment.merge(file);
        }
        for value in &env.values {
            figment = figment.merge(value);
        }
        let sources = Sources { file, env };
        let mut config: Config = figment.extract_lossy().map_err(|e| sources.describe(e))?;
        config.auth.plain_tokens = sources.env.tokens.iter().map(|(_, t)| t.clone()).collect();
        config
            .validate()
            .map_err(|e| e.with_origin(|key| sources.origin(key)))?;
        Ok(LoadedConfig {
            config,
            warnings: sources.env.warnings.clone(),
            sources,
        })
    }
}

impl LoadedConfig {
    /// Where the effective value of the dotted `key` came from.
    pub fn origin(&self, key: &str) -> Origin {
        self.sources.origin(key)
    }

    /// Every effective value (leaf keys, arrays by index), in key order, with its origin.
    pub fn effective_values(&self) -> Vec<EffectiveValue> {
        let mut out = Vec::new();
        let json = serde_json::to_value(&self.config).unwrap_or_default();
        flatten("", json, &mut out);
        for value in &mut out {
            if value.key == "store.url" {
                value.value = redact_url_password(&value.value);
            }
            value.origin = self.origin(&value.key);
        }
        for (i, (var, _)) in self.sources.env.tokens.iter().enumerate() {
            out.push(EffectiveValue {
                key: format!("auth.plain_tokens[{i}]"),
                value: serde_json::Value::from(super::REDACTED),
                origin: Origin::Env { var: var.clone() },
            });
        }
        out
    }
}

impl Sources {
    fn origin(&self, key: &str) -> Origin {
        if let Some(v) = self.env.values.iter().find(|v| v.key() == key) {
            return Origin::Env { var: v.var.clone() };
        }
        match &self.file {
            Some(file) if file.sets(key) => file.origin(key),
            _ => Origin::Default,
        }
    }

    /// Turns a figment error into one naming the dotted key and the value's origin.
    fn describe(&self, error: figment::Error) -> ConfigError {
        let key = dotted(&error.path);
        let origin = match &error.metadata {
            Some(md) if md.source.as_ref().and_then(|s| s.file_path()).is_some() => self
                .file
                .as_ref()
                .map_or(Origin::Default, |f| f.origin(&key)),
            Some(md) if md.name.starts_with("SCIM_BRIDGE_") => Origin::Env {
                var: md.name.to_string(),
            },
            _ => self.origin(&key),
        };
        ConfigError::Invalid {
            key: if key.is_empty() {
                "(top level)".into()
            } else {
                key
            },
            origin: Some(origin),
            message: message(&error.kind),
        }
    }
}

/// The figment path (`["auth", "tokens", "0", "sha256"]`) as a dotted key (`auth.tokens[0].sha256`).
fn dotted(path: &[String]) -> String {
    let mut key = String::new();
    for segment in path {
        if segment.parse::<usize>().is_ok() {
            key.push_str(&format!("[{segment}]"));
        } else {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(segment);
        }
    }
    key
}

/// serde's own wording, which names the offending value and lists the valid ones.
fn message(kind: &Kind) -> String {
    let one_of = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        match names.len() {
            0 => "nothing here".to_owned(),
            1 => names[0].clone(),
            _ => format!("one of {}", names.join(", ")),
        }
    };
    match kind {
        Kind::UnknownField(field, expected) => format!(
            "unknown field `{field}`, expected {} (check the spelling; environment keys are \
             SCIM_BRIDGE_<SECTION>__<KEY>)",
            one_of(expected)
        ),
        Kind::UnknownVariant(variant, expected) => {
            format!("unknown variant `{variant}`, expected {}", one_of(expected))
        }
        Kind::InvalidType(actual, expected) => {
            format!("invalid type: found {actual}, expected {expected}")
        }
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, value: serde_json::Value, out: &mut Vec<EffectiveValue>) {
    let leaf = |value| EffectiveValue {
        key: prefix.to_owned(),
        value,
        origin: Origin::Default,
    };
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.into_iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        other => out.push(leaf(other)),
    }
}

fn redact_url_password(value: &serde_json::Value) -> serde_json::Value {
    let Some(mut url) = value.as_str().and_then(|s| url::Url::parse(s).ok()) else {
        return value.clone();
    };
    if url.password().is_some() && url.set_password(Some(super::REDACTED)).is_ok() {
        return serde_json::Value::from(url.to_string());
    }
    value.clone()
}

//! `SCIM_BRIDGE_*` environment variables as figment providers, one per variable, so that every value
//! and every error can name the variable it came from. Values stay strings here: extraction types
//! them from `Config`'s own fields.

use super::{Config, ConfigError, Origin};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use secrecy::SecretString;
use std::collections::BTreeMap;

const PREFIX: &str = "SCIM_BRIDGE_";

/// Variables with the prefix that are read by the command line, not configuration keys.
const NOT_KEYS: &[&str] = &["CONFIG"];

/// One variable that sets one configuration key.
pub(super) struct EnvValue {
    /// The variable's name (`…_FILE` when the value was read from a file).
    pub(super) var: String,
    /// The key's path, e.g. `["dropbox", "app_key"]`.
    pub(super) path: Vec<String>,
    value: String,
}

impl EnvValue {
    /// The dotted key this variable sets.
    pub(super) fn key(&self) -> String {
        self.path.join(".")
    }
}

impl Provider for EnvValue {
    fn metadata(&self) -> Metadata {
        let var = self.var.clone();
        Metadata::named(self.var.clone()).interpolater(move |_: &Profile, _: &[&str]| var.clone())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let Some((last, parents)) = self.path.split_last() else {
            return Ok(Map::new());
        };
        let mut dict = Dict::new();
        dict.insert(last.clone(), Value::from(self.value.clone()));
        for segment in parents.iter().rev() {
            dict = Dict::from([(segment.clone(), Value::from(dict))]);
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// What the environment contributes: key values, plain IdP tokens, and warnings to print.
#[derive(Default)]
pub(super) struct EnvLayer {
    /// Configuration keys, in variable-name order.
    pub(super) values: Vec<EnvValue>,
    /// Tokens from `SCIM_BRIDGE_TOKEN` (or `_FILE`), with the variable that gave each.
    pub(super) tokens: Vec<(String, SecretString)>,
    /// Variables that were ignored, by name (never by value).
    pub(super) warnings: Vec<String>,
}

/// Reads the prefixed variables out of `vars`; the others are not looked at.
pub(super) fn read(
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<EnvLayer, ConfigError> {
    // Sorted, so that the same environment always gives the same error.
    let vars: BTreeMap<String, String> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX))
        .collect();
    let mut layer = EnvLayer::default();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &vars {
        let rest = &name[PREFIX.len()..];
        if NOT_KEYS.contains(&rest) {
            continue;
        }
        let (stem, from_file) = match rest.strip_suffix("_FILE") {
            Some(stem) => (stem, true),
            None => (rest, false),
        };
        let key = if stem == "TOKEN" {
            "auth.tokens".to_owned()
        } else {
            stem.split("__")
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
                .join(".")
        };
        if from_file && vars.contains_key(&format!("{PREFIX}{stem}")) {
            return Err(env_error(
                &key,
                name,
                format!("{PREFIX}{stem} and {name} are both set; set only one of them"),
            ));
        }
        if stem == "TOKEN" {
            let token = if from_file {
                read_file(&key, name, value)?
            } else {
                non_empty(&key, name, value)?
            };
            layer.tokens.push((name.clone(), SecretString::from(token)));
            continue;
        }
        let path: Vec<String> = stem.split("__").map(str::to_ascii_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(env_error(&key, name, "empty key segment"));
        }
        if !names_a_key(&path) {
            layer.warnings.push(format!(
                "ignoring {name}: not a configuration key (keys are SCIM_BRIDGE_<KEY> or \
                 SCIM_BRIDGE_<SECTION>__<KEY>)"
            ));
            continue;
        }
        if let Some(other) = seen.insert(key.clone(), name.clone()) {
            return Err(env_error(
                &key,
                name,
                format!("{other} and {name} both set it"),
            ));
        }
        let value = if from_file {
            read_file(&key, name, value)?
        } else {
            value.clone()
        };
        layer.values.push(EnvValue {
            var: name.clone(),
            path,
            value,
        });
    }
    Ok(layer)
}

/// Whether `path` starts with one of `Config`'s top-level keys, asked of `Config` itself.
///
/// A variable naming no top-level key is not meant for the bridge (Kubernetes, for one, injects
/// `SCIM_BRIDGE_PORT` for a Service named `scim-bridge`). One naming a known section but an
/// unknown key in it is a typo, and `extract` refuses it with the list of valid keys.
fn names_a_key(path: &[String]) -> bool {
    let probe = EnvValue {
        var: String::new(),
        path: path[..1].to_vec(),
        value: String::new(),
    };
    let unknown = match Figment::from(probe).extract_lossy::<Config>() {
        Ok(_) => false,
        Err(errors) => errors
            .into_iter()
            .any(|e| matches!(e.kind, figment::error::Kind::UnknownField(..)) && e.path.len() <= 1),
    };
    !unknown
}

fn env_error(key: &str, var: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        origin: Some(Origin::Env {
            var: var.to_owned(),
        }),
        message: message.into(),
    }
}

fn non_empty(key: &str, var: &str, value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(env_error(key, var, "is set but empty"));
    }
    Ok(trimmed.to_owned())
}

fn read_file(key: &str, var: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| env_error(key, var, format!("cannot read {path}: {e}")))?;
    non_empty(key, var, &text)
}

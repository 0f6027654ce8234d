//! Applies `SCIM_BRIDGE_*` environment variables on top of the TOML table.

use super::ConfigError;
use secrecy::SecretString;

const PREFIX: &str = "SCIM_BRIDGE_";

/// Variables with the prefix that are not configuration keys.
const NOT_KEYS: &[&str] = &["CONFIG", "TOKEN", "TOKEN_FILE"];

/// Keys whose values are always strings, even when they look like numbers or booleans.
const STRING_KEYS: &[&str] = &[
    "access_token",
    "app_key",
    "app_secret",
    "refresh_token",
    "transfer_dest",
    "transfer_admin",
    "fallback_dest",
    "url",
    "base_url",
    "public_base_url",
    "path_prefix",
    "listen",
];

/// Merges the prefixed variables into `table` and returns the plain tokens from `SCIM_BRIDGE_TOKEN`.
pub(super) fn apply(
    table: &mut toml::Table,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<SecretString>, ConfigError> {
    let mut tokens = Vec::new();
    let mut vars: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX) && !k.starts_with("SCIM_BRIDGE_TEST_"))
        .collect();
    // Deterministic order, so that the same environment always gives the same error.
    vars.sort();
    for (name, value) in vars {
        let rest = &name[PREFIX.len()..];
        match rest {
            "CONFIG" => continue,
            "TOKEN" => {
                tokens.push(SecretString::from(non_empty(&name, value)?));
                continue;
            }
            "TOKEN_FILE" => {
                tokens.push(SecretString::from(read_file(&name, &value)?));
                continue;
            }
            _ if NOT_KEYS.contains(&rest) => continue,
            _ => {}
        }
        let (rest, value) = match rest.strip_suffix("_FILE") {
            Some(stripped) => (stripped, read_file(&name, &value)?),
            None => (rest, value),
        };
        let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::invalid(&name, "empty key segment"));
        }
        set(
            table,
            &path,
            typed_value(&path[path.len() - 1], value),
            &name,
        )?;
    }
    Ok(tokens)
}

fn set(
    table: &mut toml::Table,
    path: &[String],
    value: toml::Value,
    var: &str,
) -> Result<(), ConfigError> {
    let (last, parents) = path
        .split_last()
        .ok_or_else(|| ConfigError::invalid(var, "no key"))?;
    let mut cur = table;
    for p in parents {
        let entry = cur
            .entry(p.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = entry.as_table_mut().ok_or_else(|| {
            ConfigError::invalid(var, format!("`{p}` is not a section in the config file"))
        })?;
    }
    cur.insert(last.clone(), value);
    Ok(())
}

fn typed_value(key: &str, value: String) -> toml::Value {
    if STRING_KEYS.contains(&key) {
        return toml::Value::String(value);
    }
    match value.as_str() {
        "true" => return toml::Value::Boolean(true),
        "false" => return toml::Value::Boolean(false),
        _ => {}
    }
    if let Ok(n) = value.parse::<i64>() {
        return toml::Value::Integer(n);
    }
    toml::Value::String(value)
}

fn non_empty(var: &str, value: String) -> Result<String, ConfigError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ConfigError::invalid(var, "is set but empty"));
    }
    Ok(trimmed.to_owned())
}

fn read_file(var: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::invalid(var, format!("cannot read {path}: {e}")))?;
    non_empty(var, text)
}

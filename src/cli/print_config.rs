//! `check --print-config`: every effective config value and where it came from (built-in
//! default, file and line, or the environment variable's name), with secrets redacted.

use crate::config::{EffectiveValue, LoadedConfig, Origin};
use serde::Serialize;

/// One row of `--print-config --json`.
#[derive(Serialize)]
struct Row<'a> {
    key: &'a str,
    value: &'a serde_json::Value,
    source: String,
    /// `default`, `file` or `env`, for scripts that only care about the kind of source.
    kind: &'static str,
}

/// The effective values of `loaded`, one `key = value  # source` line each, or a JSON document
/// `{"config": [{"key", "value", "source", "kind"}], "warnings": [...]}`.
pub fn render(loaded: &LoadedConfig, json: bool) -> String {
    let values = loaded.effective_values();
    if json {
        return to_json(&values, &loaded.warnings);
    }
    let shown: Vec<(String, String)> = values
        .iter()
        .map(|v| {
            (
                format!("{} = {}", v.key, show(&v.value)),
                v.origin.to_string(),
            )
        })
        .collect();
    // Aligned sources, but one very long value does not push every source off the screen.
    let width = shown
        .iter()
        .map(|(kv, _)| kv.len())
        .max()
        .unwrap_or(0)
        .min(56);
    let mut out = String::new();
    for (kv, origin) in shown {
        out.push_str(&format!("{kv:<width$}  # {origin}\n"));
    }
    for warning in &loaded.warnings {
        out.push_str(&format!("# warning: {warning}\n"));
    }
    out
}

fn to_json(values: &[EffectiveValue], warnings: &[String]) -> String {
    #[derive(Serialize)]
    struct Shape<'a> {
        config: Vec<Row<'a>>,
        warnings: &'a [String],
    }
    let config = values
        .iter()
        .map(|v| Row {
            key: &v.key,
            value: &v.value,
            source: v.origin.to_string(),
            kind: match v.origin {
                Origin::Default => "default",
                Origin::File { .. } => "file",
                Origin::Env { .. } => "env",
            },
        })
        .collect();
    serde_json::to_string_pretty(&Shape { config, warnings }).unwrap_or_default()
}

/// A value as TOML would write it; an unset optional value reads `(not set)`.
fn show(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(not set)".to_owned(),
        serde_json::Value::Array(items) if items.is_empty() => "[]".to_owned(),
        other => other.to_string(),
    }
}

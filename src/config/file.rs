//! The TOML config file as a figment provider, with the line of every key for error messages.

use super::{ConfigError, Origin};
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map};
use figment::{Metadata, Profile, Provider, Source};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml_edit::{Item, TableLike, Value};

/// The config file's text, and the line of each dotted key (`auth.tokens[0].sha256`) in it.
pub(super) struct ConfigFile {
    path: PathBuf,
    text: String,
    lines: BTreeMap<String, usize>,
}

impl ConfigFile {
    /// Reads and parses the file; a syntax error names the file, the line and the column.
    pub(super) fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        let doc = toml_edit::ImDocument::parse(text.as_str())
            .map_err(|e| ConfigError::Parse(format!("{}: {e}", path.display())))?;
        let mut lines = BTreeMap::new();
        index_table(&text, "", doc.as_table(), &mut lines);
        Ok(Self {
            path: path.to_owned(),
            lines,
            text,
        })
    }

    /// Where the file sets `key`, or the nearest enclosing key it sets (a section header).
    pub(super) fn origin(&self, key: &str) -> Origin {
        let mut probe = key;
        let line = loop {
            if let Some(line) = self.lines.get(probe) {
                break Some(*line);
            }
            match probe.rfind(['.', '[']) {
                Some(end) => probe = &probe[..end],
                None => break None,
            }
        };
        Origin::File {
            path: self.path.clone(),
            line,
        }
    }

    /// Whether the file sets `key` itself (not only its section).
    pub(super) fn sets(&self, key: &str) -> bool {
        self.lines.contains_key(key)
    }
}

impl Provider for ConfigFile {
    fn metadata(&self) -> Metadata {
        Metadata::from("config file", Source::File(self.path.clone()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Toml::string(&self.text).data()
    }
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> Option<usize> {
    let start = span?.start.min(text.len());
    Some(
        text.as_bytes()[..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1,
    )
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn index_table(
    text: &str,
    prefix: &str,
    table: &dyn TableLike,
    lines: &mut BTreeMap<String, usize>,
) {
    for (name, item) in table.iter() {
        let key = join(prefix, name);
        let span = table.get_key_value(name).and_then(|(k, _)| k.span());
        if let Some(line) = line_of(text, span).or_else(|| line_of(text, item.span())) {
            lines.insert(key.clone(), line);
        }
        index_item(text, &key, item, lines);
    }
}

fn index_item(text: &str, key: &str, item: &Item, lines: &mut BTreeMap<String, usize>) {
    match item {
        Item::Table(t) => index_table(text, key, t, lines),
        Item::ArrayOfTables(array) => {
            for (i, t) in array.iter().enumerate() {
                let key = format!("{key}[{i}]");
                if let Some(line) = line_of(text, t.span()) {
                    lines.insert(key.clone(), line);
                }
                index_table(text, &key, t, lines);
            }
        }
        Item::Value(v) => index_value(text, key, v, lines),
        Item::None => {}
    }
}

fn index_value(text: &str, key: &str, value: &Value, lines: &mut BTreeMap<String, usize>) {
    match value {
        Value::InlineTable(t) => index_table(text, key, t, lines),
        Value::Array(array) => {
            for (i, v) in array.iter().enumerate() {
                let key = format!("{key}[{i}]");
                if let Some(line) = line_of(text, v.span()) {
                    lines.insert(key.clone(), line);
                }
                index_value(text, &key, v, lines);
            }
        }
        _ => {}
    }
}

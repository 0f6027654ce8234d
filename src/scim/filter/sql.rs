//! Pushes the part of a User filter the team mirror's columns answer down to SQL.
//!
//! [`split`] cuts a filter into a SQL condition (over the mirror row alias `m`) and a residual the
//! caller evaluates in Rust on rendered users; a row matches the filter when it passes both. Only
//! exact translations are pushed: `eq`, `ne`, `sw`, `ew`, `co` and `pr` on `userName`, `externalId`,
//! `emails.value`, `name.givenName`, `name.familyName`, and `eq`/`ne` on `active`. Every value is a
//! bind (never spliced into the SQL) and `LIKE` wildcards in values are escaped. Every condition is
//! TRUE or FALSE, never NULL, so `not (...)` keeps the SCIM meaning for absent attributes.

use super::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::USER_URN;

/// The SQL flavour to write (the one function that differs between SQLite and PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A value bound to a placeholder of a [`SqlWhere`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlArg {
    /// A text value.
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// A SQL condition with `$1..$n` placeholders and the values bound to them, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlWhere {
    /// The condition.
    pub sql: String,
    /// The values for `$1..$n`.
    pub args: Vec<SqlArg>,
}

/// A filter cut in two: what SQL answers, and what is left for Rust.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The condition pushed to SQL, if any part could be.
    pub pushed: Option<SqlWhere>,
    /// What must still be evaluated on rendered users, if anything.
    pub residual: Option<Filter>,
}

/// How a mirror column holds a SCIM attribute.
#[derive(Clone, Copy)]
enum Column {
    /// Lower-cased text, NULL when absent (case-insensitive attributes).
    Lower(&'static str),
    /// Text as written, NULL when absent (case-exact attributes).
    Exact(&'static str),
    /// Lower-cased values, each between newlines (a multi-valued attribute).
    List(&'static str),
    /// A boolean, never NULL.
    Bool(&'static str),
}

/// Splits `filter` into a pushed SQL condition and a residual filter.
pub fn split(filter: &Filter, dialect: Dialect) -> Split {
    let mut b = Builder {
        dialect,
        args: Vec::new(),
    };
    let (sql, residual) = b.split(filter);
    Split {
        pushed: sql.map(|sql| SqlWhere { sql, args: b.args }),
        residual,
    }
}

struct Builder {
    dialect: Dialect,
    args: Vec<SqlArg>,
}

impl Builder {
    fn split(&mut self, f: &Filter) -> (Option<String>, Option<Filter>) {
        if let Filter::And(a, b) = f {
            let (sa, ra) = self.split(a);
            let (sb, rb) = self.split(b);
            let sql = match (sa, sb) {
                (Some(a), Some(b)) => Some(format!("({a} AND {b})")),
                (a, b) => a.or(b),
            };
            let residual = match (ra, rb) {
                (Some(a), Some(b)) => Some(Filter::And(Box::new(a), Box::new(b))),
                (a, b) => a.or(b),
            };
            return (sql, residual);
        }
        let mark = self.args.len();
        match self.full(f) {
            Some(sql) => (Some(sql), None),
            None => {
                self.args.truncate(mark);
                (None, Some(f.clone()))
            }
        }
    }

    /// The exact SQL for `f`, or `None` when some part of it is not answered by a column.
    fn full(&mut self, f: &Filter) -> Option<String> {
        match f {
            Filter::And(a, b) => Some(format!("({} AND {})", self.full(a)?, self.full(b)?)),
            Filter::Or(a, b) => Some(format!("({} OR {})", self.full(a)?, self.full(b)?)),
            Filter::Not(a) => Some(format!("(NOT {})", self.full(a)?)),
            Filter::Present(path) => match column(path)? {
                Column::Lower(c) | Column::Exact(c) => {
                    Some(format!("(m.{c} IS NOT NULL AND m.{c} <> '')"))
                }
                Column::Bool(_) => Some("(1 = 1)".to_owned()),
                Column::List(_) => None,
            },
            Filter::Compare { path, op, value } => self.compare(column(path)?, *op, value),
            Filter::ValuePath { .. } => None,
        }
    }

    fn compare(&mut self, col: Column, op: CompareOp, value: &CompValue) -> Option<String> {
        if op == CompareOp::Ne {
            let eq = self.compare(col, CompareOp::Eq, value)?;
            return Some(format!("(NOT {eq})"));
        }
        match (col, value) {
            (Column::Bool(c), CompValue::Bool(b)) if op == CompareOp::Eq => {
                Some(format!("(m.{c} = {})", self.bind(SqlArg::Bool(*b))))
            }
            (Column::Lower(c), CompValue::Str(s)) => {
                let v = s.to_lowercase();
                let test = match op {
                    CompareOp::Eq => format!("m.{c} = {}", self.text(v)),
                    CompareOp::Sw => self.like(c, format!("{}%", escape(&v))),
                    CompareOp::Ew => self.like(c, format!("%{}", escape(&v))),
                    CompareOp::Co => self.like(c, format!("%{}%", escape(&v))),
                    _ => return None,
                };
                Some(format!("(m.{c} IS NOT NULL AND {test})"))
            }
            (Column::Exact(c), CompValue::Str(s)) => {
                let test = match op {
                    CompareOp::Eq => format!("m.{c} = {}", self.text(s.clone())),
                    CompareOp::Sw => format!(
                        "substr(m.{c}, 1, length({})) = {}",
                        self.text(s.clone()),
                        self.text(s.clone())
                    ),
                    CompareOp::Ew => format!(
                        "length(m.{c}) >= length({}) AND substr(m.{c}, length(m.{c}) - length({}) + 1) = {}",
                        self.text(s.clone()),
                        self.text(s.clone()),
                        self.text(s.clone())
                    ),
                    CompareOp::Co => match self.dialect {
                        Dialect::Sqlite => format!("instr(m.{c}, {}) > 0", self.text(s.clone())),
                        Dialect::Postgres => format!("strpos(m.{c}, {}) > 0", self.text(s.clone())),
                    },
                    _ => return None,
                };
                Some(format!("(m.{c} IS NOT NULL AND {test})"))
            }
            (Column::List(c), CompValue::Str(s)) if !s.contains('\n') => {
                let v = escape(&s.to_lowercase());
                let pattern = match op {
                    CompareOp::Eq => format!("%\n{v}\n%"),
                    CompareOp::Sw => format!("%\n{v}%"),
                    CompareOp::Ew => format!("%{v}\n%"),
                    CompareOp::Co => format!("%{v}%"),
                    _ => return None,
                };
                Some(format!("({})", self.like(c, pattern)))
            }
            _ => None,
        }
    }

    fn like(&mut self, col: &str, pattern: String) -> String {
        format!("m.{col} LIKE {} ESCAPE '\\'", self.text(pattern))
    }

    fn text(&mut self, v: String) -> String {
        self.bind(SqlArg::Text(v))
    }

    fn bind(&mut self, arg: SqlArg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

/// The mirror column holding a (core User) attribute path, if one does.
fn column(path: &AttrPath) -> Option<Column> {
    if path
        .urn
        .as_deref()
        .is_some_and(|u| !u.eq_ignore_ascii_case(USER_URN))
    {
        return None;
    }
    let attr = path.attr.to_ascii_lowercase();
    let sub = path.sub_attr.as_deref().map(str::to_ascii_lowercase);
    Some(match (attr.as_str(), sub.as_deref()) {
        ("username", None) => Column::Lower("sort_key"),
        ("externalid", None) => Column::Exact("external_id"),
        ("emails", None | Some("value")) => Column::List("emails_lower"),
        ("name", Some("givenname")) => Column::Lower("given_lower"),
        ("name", Some("familyname")) => Column::Lower("family_lower"),
        ("active", None) => Column::Bool("active"),
        _ => return None,
    })
}

/// Escapes `LIKE` wildcards (and the escape character itself) so a value matches only itself.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for ch in v.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;

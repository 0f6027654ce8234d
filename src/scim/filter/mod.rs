//! SCIM filters (RFC 7644 §3.4.2.2): the AST, a parser, a canonical printer and an evaluator.

mod display;
mod eval;
mod lexer;
mod parser;
pub mod sql;

pub use eval::matches;
pub(crate) use eval::matches_element;
pub(crate) use parser::Parser;
pub use parser::{MAX_DEPTH, MAX_LEN, parse};

/// An attribute path: optional schema URN, attribute name, optional sub-attribute (names as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN prefix (`urn:...:User`), if the path was qualified.
    pub urn: Option<String>,
    /// The attribute name.
    pub attr: String,
    /// The sub-attribute after a dot, if any.
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// An unqualified path to a top-level attribute.
    pub fn new(attr: impl Into<String>) -> Self {
        Self {
            urn: None,
            attr: attr.into(),
            sub_attr: None,
        }
    }
}

/// A comparison operator (case-insensitive in the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// greater than or equal
    Ge,
    /// less than
    Lt,
    /// less than or equal
    Le,
}

impl CompareOp {
    /// The operator keyword, lower-case.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// Parses an operator keyword case-insensitively.
    pub fn from_keyword(s: &str) -> Option<Self> {
        let all = [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Co,
            CompareOp::Sw,
            CompareOp::Ew,
            CompareOp::Gt,
            CompareOp::Ge,
            CompareOp::Lt,
            CompareOp::Le,
        ];
        all.into_iter().find(|o| o.as_str().eq_ignore_ascii_case(s))
    }
}

/// A comparison value: a JSON string, number, boolean or null.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// A string (quoted, or a bare word).
    Str(String),
    /// A number.
    Num(serde_json::Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// The test applied to a sub-attribute after a value path (`emails[...].value eq "x"`).
#[derive(Debug, Clone, PartialEq)]
pub enum SubTest {
    /// `pr`
    Present,
    /// a comparison
    Compare(CompareOp, CompValue),
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `path op value`
    Compare {
        /// The attribute path.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The value.
        value: CompValue,
    },
    /// `path pr`
    Present(AttrPath),
    /// `a and b`
    And(Box<Filter>, Box<Filter>),
    /// `a or b`
    Or(Box<Filter>, Box<Filter>),
    /// `not (a)`
    Not(Box<Filter>),
    /// `attr[filter]`, optionally followed by `.sub op value` (an Entra extension to the RFC).
    ValuePath {
        /// The multi-valued (or complex) attribute.
        attr: AttrPath,
        /// The filter over its values, with paths relative to the attribute.
        filter: Box<Filter>,
        /// The Entra tail `.sub op value`.
        then: Option<(String, SubTest)>,
    },
}

impl Filter {
    /// Whether any part of the filter reads `meta` (e.g. `meta.version`), so that the resource it is
    /// evaluated on must carry its version.
    pub fn reads_meta(&self) -> bool {
        match self {
            Filter::Compare { path, .. } | Filter::Present(path) => {
                path.attr.eq_ignore_ascii_case("meta")
            }
            Filter::And(a, b) | Filter::Or(a, b) => a.reads_meta() || b.reads_meta(),
            Filter::Not(f) => f.reads_meta(),
            Filter::ValuePath { attr, .. } => attr.attr.eq_ignore_ascii_case("meta"),
        }
    }
}

//! Prints a filter in canonical form: lower-case keywords, quoted strings, minimal parentheses.

use std::fmt;

use super::{AttrPath, CompValue, Filter, SubTest};

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Str(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            CompValue::Num(n) => write!(f, "{n}"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

impl fmt::Display for SubTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubTest::Present => f.write_str("pr"),
            SubTest::Compare(op, v) => write!(f, "{} {v}", op.as_str()),
        }
    }
}

fn precedence(f: &Filter) -> u8 {
    match f {
        Filter::Or(..) => 1,
        Filter::And(..) => 2,
        _ => 3,
    }
}

fn child(f: &mut fmt::Formatter<'_>, c: &Filter, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({c})")
    } else {
        write!(f, "{c}")
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(path) => write!(f, "{path} pr"),
            // Parsing is left-associative, so a right child of equal precedence needs parentheses.
            Filter::And(a, b) => {
                child(f, a, precedence(a) < 2)?;
                f.write_str(" and ")?;
                child(f, b, precedence(b) <= 2)
            }
            Filter::Or(a, b) => {
                child(f, a, false)?;
                f.write_str(" or ")?;
                child(f, b, precedence(b) <= 1)
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { attr, filter, then } => {
                write!(f, "{attr}[{filter}]")?;
                if let Some((sub, test)) = then {
                    write!(f, ".{sub} {test}")?;
                }
                Ok(())
            }
        }
    }
}

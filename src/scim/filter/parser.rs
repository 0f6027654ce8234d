//! Recursive-descent parser for the RFC 7644 §3.4.2.2 grammar plus Entra's extensions.

use super::lexer::{Tok, Token, lex};
use super::{AttrPath, CompValue, CompareOp, Filter, SubTest};
use crate::scim::error::ScimError;
use crate::scim::schema::split_urn;

/// The longest filter accepted, in bytes.
pub const MAX_LEN: usize = 4096;
/// The deepest nesting of parentheses, `not` and brackets accepted.
pub const MAX_DEPTH: usize = 32;

/// Parses a filter string into a [`Filter`]; errors are 400 `invalidFilter` saying where.
pub fn parse(input: &str) -> Result<Filter, ScimError> {
    let mut p = Parser::new(input)?;
    let f = p.filter(false)?;
    p.expect_end()?;
    Ok(f)
}

/// Parser state over the token list.
pub(crate) struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: usize,
    len: usize,
}

fn err(pos: usize, msg: impl std::fmt::Display) -> ScimError {
    ScimError::invalid_filter(format!("at byte {pos}: {msg}"))
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// Parses `attr`, `attr.sub` or `urn:...:attr[.sub]`.
pub(crate) fn attr_path(word: &str, pos: usize) -> Result<AttrPath, ScimError> {
    let (urn, rest) = split_urn(word);
    let (attr, sub) = match rest.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (rest, None),
    };
    if !is_name(attr) || sub.is_some_and(|s| !is_name(s)) {
        return Err(err(
            pos,
            format!("expected an attribute path, found {word:?}"),
        ));
    }
    Ok(AttrPath {
        urn: urn.map(String::from),
        attr: attr.into(),
        sub_attr: sub.map(String::from),
    })
}

impl Parser {
    /// Tokenises the input after checking its length.
    pub(crate) fn new(input: &str) -> Result<Self, ScimError> {
        if input.len() > MAX_LEN {
            return Err(ScimError::invalid_filter(format!(
                "filter longer than {MAX_LEN} bytes"
            )));
        }
        if input.trim().is_empty() {
            return Err(err(0, "expected a filter, found nothing"));
        }
        Ok(Self {
            toks: lex(input)?,
            i: 0,
            depth: 0,
            len: input.len(),
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn pos(&self) -> usize {
        self.peek().map_or(self.len, |t| t.pos)
    }

    fn found(&self) -> String {
        match self.peek().map(|t| &t.tok) {
            None => "end of input".into(),
            Some(Tok::Str(s)) => format!("string {s:?}"),
            Some(Tok::Word(w)) => format!("{w:?}"),
            Some(t) => format!("{t:?}"),
        }
    }

    fn expected(&self, what: &str) -> ScimError {
        err(
            self.pos(),
            format!("expected {what}, found {}", self.found()),
        )
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn take(&mut self, tok: &Tok) -> bool {
        let hit = self.peek().is_some_and(|t| &t.tok == tok);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn enter(&mut self) -> Result<(), ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.pos(), format!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok(())
    }

    /// Fails unless every token was consumed.
    pub(crate) fn expect_end(&self) -> Result<(), ScimError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.expected("'and', 'or' or the end of the filter")),
        }
    }

    /// `filter := and ("or" and)*`; inside brackets value paths are not allowed.
    pub(crate) fn filter(&mut self, in_brackets: bool) -> Result<Filter, ScimError> {
        let mut left = self.and(in_brackets)?;
        while self.keyword("or") {
            self.i += 1;
            let right = self.and(in_brackets)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, in_brackets: bool) -> Result<Filter, ScimError> {
        let mut left = self.unary(in_brackets)?;
        while self.keyword("and") {
            self.i += 1;
            let right = self.unary(in_brackets)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, in_brackets: bool) -> Result<Filter, ScimError> {
        let not_paren = self.keyword("not")
            && matches!(self.toks.get(self.i + 1), Some(t) if t.tok == Tok::LParen);
        if not_paren {
            self.i += 1;
            let inner = self.parenthesised(in_brackets)?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if matches!(self.peek(), Some(t) if t.tok == Tok::LParen) {
            return self.parenthesised(in_brackets);
        }
        self.attr_exp(in_brackets)
    }

    fn parenthesised(&mut self, in_brackets: bool) -> Result<Filter, ScimError> {
        self.enter()?;
        if !self.take(&Tok::LParen) {
            return Err(self.expected("'('"));
        }
        let f = self.filter(in_brackets)?;
        if !self.take(&Tok::RParen) {
            return Err(self.expected("')'"));
        }
        self.depth -= 1;
        Ok(f)
    }

    /// Reads one attribute path token.
    pub(crate) fn path(&mut self) -> Result<AttrPath, ScimError> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
            }) => {
                self.i += 1;
                attr_path(&w, pos)
            }
            _ => Err(self.expected("an attribute path")),
        }
    }

    /// Reads `[ valFilter ]` if present.
    pub(crate) fn bracket(&mut self) -> Result<Option<Filter>, ScimError> {
        if !self.take(&Tok::LBracket) {
            return Ok(None);
        }
        self.enter()?;
        let f = self.filter(true)?;
        if !self.take(&Tok::RBracket) {
            return Err(self.expected("']'"));
        }
        self.depth -= 1;
        Ok(Some(f))
    }

    /// Reads a `.sub` word glued to a closing bracket, if present.
    pub(crate) fn dot_sub(&mut self) -> Result<Option<String>, ScimError> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
            }) if w.starts_with('.') => {
                self.i += 1;
                let sub = &w[1..];
                if !is_name(sub) {
                    return Err(err(
                        pos + 1,
                        format!("expected a sub-attribute name, found {sub:?}"),
                    ));
                }
                Ok(Some(sub.to_string()))
            }
            _ => Ok(None),
        }
    }

    fn attr_exp(&mut self, in_brackets: bool) -> Result<Filter, ScimError> {
        let start = self.pos();
        let path = self.path()?;
        if matches!(self.peek(), Some(t) if t.tok == Tok::LBracket) {
            if in_brackets {
                return Err(err(self.pos(), "value filters cannot be nested"));
            }
            if path.sub_attr.is_some() {
                return Err(err(start, "expected '[' directly after an attribute name"));
            }
            let filter = self.bracket()?.ok_or_else(|| self.expected("'['"))?;
            let then = match self.dot_sub()? {
                Some(sub) => Some((sub, self.test()?)),
                None => None,
            };
            return Ok(Filter::ValuePath {
                attr: path,
                filter: Box::new(filter),
                then,
            });
        }
        Ok(match self.test()? {
            SubTest::Present => Filter::Present(path),
            SubTest::Compare(op, value) => Filter::Compare { path, op, value },
        })
    }

    fn test(&mut self) -> Result<SubTest, ScimError> {
        if self.keyword("pr") {
            self.i += 1;
            return Ok(SubTest::Present);
        }
        let op = match self.peek() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => CompareOp::from_keyword(w),
            _ => None,
        };
        let op = op.ok_or_else(|| self.expected("an operator (eq ne co sw ew gt ge lt le pr)"))?;
        self.i += 1;
        Ok(SubTest::Compare(op, self.value()?))
    }

    fn value(&mut self) -> Result<CompValue, ScimError> {
        let v = match self.peek().map(|t| t.tok.clone()) {
            Some(Tok::Str(s)) => CompValue::Str(s),
            Some(Tok::Word(w)) => word_value(&w),
            _ => return Err(self.expected("a value")),
        };
        self.i += 1;
        Ok(v)
    }
}

/// A bare word: `true`/`false`/`null`, a JSON number, or else a string (Microsoft's `externalId eq jyoung`).
fn word_value(w: &str) -> CompValue {
    if w.eq_ignore_ascii_case("true") {
        return CompValue::Bool(true);
    }
    if w.eq_ignore_ascii_case("false") {
        return CompValue::Bool(false);
    }
    if w.eq_ignore_ascii_case("null") {
        return CompValue::Null;
    }
    if w.starts_with(|c: char| c == '-' || c.is_ascii_digit())
        && let Some(n) = number(w)
    {
        return CompValue::Num(n);
    }
    CompValue::Str(w.to_string())
}

/// A JSON number; std's float parsing is exact, so printed floats parse back to the same value.
fn number(w: &str) -> Option<serde_json::Number> {
    serde_json::from_str::<serde_json::Number>(w).ok()?;
    if let Ok(i) = w.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = w.parse::<u64>() {
        return Some(u.into());
    }
    w.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
}

//! Splits a filter into tokens with byte offsets.

use super::super::error::ScimError;

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    /// A quoted JSON string, unescaped.
    Str(String),
    /// Anything else: a path, keyword, operator, number, or bare word.
    Word(String),
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

/// Tokenises the input; errors say at which byte.
pub(crate) fn lex(input: &str) -> Result<Vec<Token>, ScimError> {
    let bytes = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let simple = match c {
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            _ => None,
        };
        if let Some(tok) = simple {
            out.push(Token { tok, pos: i });
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'"' {
            let (s, next) = string(input, i)?;
            out.push(Token {
                tok: Tok::Str(s),
                pos: i,
            });
            i = next;
        } else {
            let start = i;
            while i < bytes.len() && !b"()[]\" \t\r\n".contains(&bytes[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Word(input[start..i].to_string()),
                pos: start,
            });
        }
    }
    Ok(out)
}

/// Reads a JSON string starting at the quote at `start`; returns it and the offset after it.
fn string(input: &str, start: usize) -> Result<(String, usize), ScimError> {
    let bytes = input.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let raw = &input[start..=i];
                let s: String = serde_json::from_str(raw).map_err(|e| {
                    ScimError::invalid_filter(format!(
                        "at byte {start}: invalid string literal ({e})"
                    ))
                })?;
                return Ok((s, i + 1));
            }
            _ => i += 1,
        }
    }
    Err(ScimError::invalid_filter(format!(
        "at byte {start}: unterminated string, expected a closing '\"'"
    )))
}

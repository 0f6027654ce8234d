//! PATCH attribute paths (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, URN-qualified.

use std::fmt;

use super::error::ScimError;
use super::filter::{Filter, Parser};

/// A parsed PATCH `path`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The schema URN prefix, if the path was qualified.
    pub urn: Option<String>,
    /// The attribute name.
    pub attr: String,
    /// The sub-attribute (`name.givenName`, `emails[...].value`).
    pub sub_attr: Option<String>,
    /// The value filter (`members[value eq "x"]`).
    pub filter: Option<Filter>,
}

impl PatchPath {
    /// Parses a path; errors are 400 `invalidPath`.
    pub fn parse(input: &str) -> Result<Self, ScimError> {
        let inner = || -> Result<Self, ScimError> {
            let mut p = Parser::new(input)?;
            let path = p.path()?;
            let filter = p.bracket()?;
            let mut sub_attr = path.sub_attr;
            if filter.is_some() {
                if sub_attr.is_some() {
                    return Err(ScimError::invalid_path(
                        "a value filter must follow the attribute name",
                    ));
                }
                sub_attr = p.dot_sub()?;
            }
            p.expect_end()?;
            Ok(Self {
                urn: path.urn,
                attr: path.attr,
                sub_attr,
                filter,
            })
        };
        inner()
            .map_err(|e| ScimError::invalid_path(format!("invalid path {input:?}: {}", e.detail)))
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> PatchPath {
        PatchPath::parse(s).unwrap_or_else(|e| PatchPath {
            urn: None,
            attr: e.detail,
            sub_attr: None,
            filter: None,
        })
    }

    #[test]
    fn idp_paths_parse_and_print_back() {
        let cases = [
            r#"members[value eq "2819c223"]"#,
            r#"emails[type eq "work"].value"#,
            "name.givenName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "members",
            "active",
            r#"addresses[type eq "work" and primary eq true].streetAddress"#,
        ];
        for c in cases {
            let p = ok(c);
            assert_eq!(p.to_string(), c, "{c}");
        }
        let p = ok("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
        assert_eq!(
            p.urn.as_deref(),
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        );
        assert_eq!(p.attr, "manager");
        assert!(ok(r#"members[value eq "x"]"#).filter.is_some());
    }

    #[test]
    fn bad_paths_are_invalid_path() {
        for bad in [
            "",
            "members[",
            "members[value eq \"x\"",
            "name.given.x",
            "a b",
            "emails[type eq \"w\"]x",
            "1abc",
        ] {
            let e = PatchPath::parse(bad).err().map(|e| e.scim_type);
            assert_eq!(e, Some(Some(crate::scim::ScimType::InvalidPath)), "{bad}");
        }
    }
}

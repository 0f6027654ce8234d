//! SCIM schema definitions as data (RFC 7643 §7): the User (core + enterprise) and Group schemas we publish.

mod dropbox_user;
mod group;
mod render;
mod user;
mod user_stored;

pub use dropbox_user::{
    DROPBOX_SCHEMA, DROPBOX_URN, MIN_SPACE_LIMIT_GB, SPACE_LIMIT_ATTR, hide_dropbox_extension,
    parse_space_limit, space_limit_of,
};
pub use group::{GROUP_SCHEMA, GROUP_URN, group_schema};
pub use render::{
    Capabilities, resource_type_json, resource_types_json, schema_json, schemas_json,
    service_provider_config_json,
};
pub use user::{ENTERPRISE_SCHEMA, ENTERPRISE_URN, USER_SCHEMA, USER_URN, user_schema};
pub(crate) use user_stored::STORED_ATTRS;

/// The data type of an attribute (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Boolean,
    /// A JSON number with a fraction.
    Decimal,
    /// A JSON integer.
    Integer,
    /// An RFC 3339 timestamp in a string.
    DateTime,
    /// A URI in a string.
    Reference,
    /// An object of sub-attributes.
    Complex,
    /// Base64-encoded bytes in a string.
    Binary,
}

impl AttrType {
    /// The name used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
            AttrType::Binary => "binary",
        }
    }
}

/// When an attribute may be changed (RFC 7643 §7 `mutability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the server only; ignored in requests.
    ReadOnly,
    /// Freely writable.
    ReadWrite,
    /// Writable once.
    Immutable,
    /// Writable, never returned.
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §7 `returned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never.
    Never,
    /// By default, unless excluded.
    Default,
    /// Only when named in `attributes`.
    Request,
}

/// How unique an attribute's value is (RFC 7643 §7 `uniqueness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No constraint.
    None,
    /// Unique within this service provider.
    Server,
    /// Globally unique.
    Global,
}

impl Mutability {
    /// The name used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

impl Returned {
    /// The name used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

impl Uniqueness {
    /// The name used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute definition (RFC 7643 §7), built with `const` helpers so schemas are static data.
#[derive(Debug, Clone, Copy)]
pub struct AttributeDef {
    /// The canonical attribute name.
    pub name: &'static str,
    /// The data type.
    pub ty: AttrType,
    /// Whether the attribute is an array.
    pub multi_valued: bool,
    /// Whether a value is required on create/replace.
    pub required: bool,
    /// Whether string comparisons are case-sensitive.
    pub case_exact: bool,
    /// When the attribute may be changed.
    pub mutability: Mutability,
    /// When the attribute is returned.
    pub returned: Returned,
    /// How unique the value is.
    pub uniqueness: Uniqueness,
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: &'static [AttributeDef],
    /// Suggested values (`type` of emails, ...).
    pub canonical_values: &'static [&'static str],
    /// Resource types a reference may point to.
    pub reference_types: &'static [&'static str],
    /// A description for `/Schemas`.
    pub description: &'static str,
}

impl AttributeDef {
    /// A single-valued, optional, case-insensitive, read-write attribute of the given type.
    pub const fn new(name: &'static str, ty: AttrType, description: &'static str) -> Self {
        Self {
            name,
            ty,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub_attributes: &[],
            canonical_values: &[],
            reference_types: &[],
            description,
        }
    }
    /// A string attribute.
    pub const fn string(name: &'static str, description: &'static str) -> Self {
        Self::new(name, AttrType::String, description)
    }
    /// A complex attribute with the given sub-attributes.
    pub const fn complex(
        name: &'static str,
        subs: &'static [AttributeDef],
        d: &'static str,
    ) -> Self {
        let mut a = Self::new(name, AttrType::Complex, d);
        a.sub_attributes = subs;
        a
    }
    /// Marks the attribute multi-valued.
    pub const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }
    /// Marks the attribute required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Marks string comparisons case-sensitive.
    pub const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    /// Marks the attribute read-only.
    pub const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }
    /// Marks the attribute immutable (set on add, never changed).
    pub const fn immutable(mut self) -> Self {
        self.mutability = Mutability::Immutable;
        self
    }
    /// Sets when the attribute is returned.
    pub const fn returned(mut self, r: Returned) -> Self {
        self.returned = r;
        self
    }
    /// Marks the value unique within the server.
    pub const fn unique(mut self) -> Self {
        self.uniqueness = Uniqueness::Server;
        self
    }
    /// Sets canonical values.
    pub const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }
    /// Sets reference types (for `reference` attributes).
    pub const fn refs(mut self, types: &'static [&'static str]) -> Self {
        self.reference_types = types;
        self
    }

    /// The sub-attribute with this name, compared case-insensitively.
    pub fn sub(&self, name: &str) -> Option<&'static AttributeDef> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// One schema (core or extension): its URN and its attributes.
#[derive(Debug, Clone, Copy)]
pub struct SchemaDef {
    /// The schema URN.
    pub id: &'static str,
    /// A short name.
    pub name: &'static str,
    /// A description.
    pub description: &'static str,
    /// The top-level attributes.
    pub attributes: &'static [AttributeDef],
}

impl SchemaDef {
    /// The attribute with this name, compared case-insensitively.
    pub fn attr(&self, name: &str) -> Option<&'static AttributeDef> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A resource type: its core schema, its extensions and its endpoint.
#[derive(Debug, Clone, Copy)]
pub struct ResourceSchema {
    /// The resource type name (`User`, `Group`).
    pub name: &'static str,
    /// The endpoint relative to the base URL (`/Users`).
    pub endpoint: &'static str,
    /// A description.
    pub description: &'static str,
    /// The core schema.
    pub core: &'static SchemaDef,
    /// The schema extensions (their attributes live under a key equal to the URN).
    pub extensions: &'static [&'static SchemaDef],
}

/// Where a (possibly URN-qualified) attribute name points.
#[derive(Debug, Clone, Copy)]
pub enum Resolved {
    /// A top-level attribute of the core schema (`ext` = None) or of an extension.
    Attr {
        /// The extension holding the attribute, if not the core schema.
        ext: Option<&'static SchemaDef>,
        /// The attribute.
        def: &'static AttributeDef,
    },
    /// A whole extension object (the name is the extension URN itself).
    Extension(&'static SchemaDef),
}

impl ResourceSchema {
    /// The schema (core or extension) with this URN, compared case-insensitively.
    pub fn schema_by_urn(&self, urn: &str) -> Option<&'static SchemaDef> {
        if self.core.id.eq_ignore_ascii_case(urn) {
            return Some(self.core);
        }
        self.extension(urn)
    }

    /// The extension with this URN, compared case-insensitively.
    pub fn extension(&self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions
            .iter()
            .copied()
            .find(|e| e.id.eq_ignore_ascii_case(urn))
    }

    /// Resolves an attribute given an optional schema URN and a name; `None` if unknown.
    pub fn resolve(&self, urn: Option<&str>, name: &str) -> Option<Resolved> {
        match urn {
            None => {
                if let Some(def) = self.core.attr(name) {
                    return Some(Resolved::Attr { ext: None, def });
                }
                // A bare extension URN split at its last colon by the parser.
                None
            }
            Some(u) => {
                if let Some(s) = self.schema_by_urn(u) {
                    let def = s.attr(name)?;
                    let ext = (!std::ptr::eq(s, self.core)).then_some(s);
                    return Some(Resolved::Attr { ext, def });
                }
                self.extension(&format!("{u}:{name}"))
                    .map(Resolved::Extension)
            }
        }
    }

    /// Resolves a full key such as `userName`, `urn:...:User:manager` or an extension URN.
    pub fn resolve_key(&self, key: &str) -> Option<Resolved> {
        if let Some(e) = self.extension(key) {
            return Some(Resolved::Extension(e));
        }
        match split_urn(key) {
            (Some(urn), name) => self.resolve(Some(urn), name),
            (None, name) => self.resolve(None, name),
        }
    }

    /// All schema URNs of this resource type, core first.
    pub fn urns(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.core.id).chain(self.extensions.iter().map(|e| e.id))
    }
}

/// Splits `urn:...:Name` at its last colon into (`urn:...`, `Name`); a name without `urn:` has no URN.
pub fn split_urn(key: &str) -> (Option<&str>, &str) {
    let is_urn = key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) && key.len() > 4;
    match key.rfind(':') {
        Some(i) if is_urn => (Some(&key[..i]), &key[i + 1..]),
        _ => (None, key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_core_extension_and_urn_keys() {
        let s = user_schema();
        assert!(
            matches!(s.resolve_key("USERNAME"), Some(Resolved::Attr { ext: None, def }) if def.name == "userName")
        );
        let key = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:Manager";
        assert!(
            matches!(s.resolve_key(key), Some(Resolved::Attr { ext: Some(_), def }) if def.name == "manager")
        );
        assert!(matches!(
            s.resolve_key(ENTERPRISE_URN),
            Some(Resolved::Extension(_))
        ));
        let core = "urn:ietf:params:scim:schemas:core:2.0:User:name";
        assert!(
            matches!(s.resolve_key(core), Some(Resolved::Attr { ext: None, def }) if def.name == "name")
        );
        assert!(s.resolve_key("locale").is_some(), "stored by the bridge");
        assert!(s.resolve_key("password").is_none());
        assert!(s.resolve_key("urn:x:y:z").is_none());
    }

    #[test]
    fn split_urn_only_splits_urns() {
        assert_eq!(split_urn("name.givenName"), (None, "name.givenName"));
        assert_eq!(split_urn("urn:a:b:c.d"), (Some("urn:a:b"), "c.d"));
    }
}

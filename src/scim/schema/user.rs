//! The User resource type: core User schema plus the enterprise extension, limited to what the bridge supports.

use super::user_stored::STORED_ATTRS as S;
use super::{AttrType, AttributeDef as A, ResourceSchema, Returned, SchemaDef};

/// The core User schema URN.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise User extension URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Sub-attributes of `meta`, shared by Users and Groups.
pub(crate) const META_SUBS: &[A] = &[
    A::string("resourceType", "The resource type name.")
        .case_exact()
        .read_only(),
    A::new(
        "created",
        AttrType::DateTime,
        "When the resource was created.",
    )
    .read_only(),
    A::new(
        "lastModified",
        AttrType::DateTime,
        "When the resource was last changed.",
    )
    .read_only(),
    A::new("location", AttrType::Reference, "The URI of the resource.")
        .case_exact()
        .read_only(),
    A::string("version", "The version (ETag) of the resource.")
        .case_exact()
        .read_only(),
];

/// `id`, common to all resources.
pub(crate) const ID: A = A::string("id", "Server-issued unique identifier.")
    .case_exact()
    .read_only()
    .returned(Returned::Always)
    .unique();
/// `externalId`, common to all resources.
pub(crate) const EXTERNAL_ID: A =
    A::string("externalId", "Identifier assigned by the client.").case_exact();
/// `meta`, common to all resources.
pub(crate) const META: A = A::complex("meta", META_SUBS, "Resource metadata.").read_only();

const NAME_SUBS: &[A] = &[
    A::string("formatted", "The full name."),
    A::string("familyName", "The family name."),
    A::string("givenName", "The given name."),
];

const TYPES: &[&str] = &["work", "home", "other"];

const EMAIL_SUBS: &[A] = &[
    A::string("value", "The email address.").required(),
    A::string("type", "work, home or other.").canonical(TYPES),
    A::new("primary", AttrType::Boolean, "The primary address."),
];

const PHONE_SUBS: &[A] = &[
    A::string("value", "The phone number."),
    A::string("type", "work, home, mobile, fax, pager or other.")
        .canonical(&["work", "home", "mobile", "fax", "pager", "other"]),
    A::new("primary", AttrType::Boolean, "The primary number."),
];

const GROUP_REF_SUBS: &[A] = &[
    A::string("value", "The group's id.").read_only(),
    A::new("$ref", AttrType::Reference, "The group's URI.")
        .refs(&["Group"])
        .read_only(),
    A::string("display", "The group's displayName.").read_only(),
];

const USER_ATTRS: &[A] = &[
    ID,
    EXTERNAL_ID,
    A::string(
        "userName",
        "Unique identifier for the user (the Dropbox email).",
    )
    .required()
    .unique(),
    // Dropbox always holds a given name and surname and cannot clear them, so `name` is never absent.
    A::complex(
        "name",
        NAME_SUBS,
        "The components of the user's name (Dropbox keeps a name; it cannot be removed).",
    )
    .required(),
    A::string("displayName", "The name displayed to end users."),
    A::string("title", "The user's title."),
    // A Dropbox member is always either provisioned or suspended, so `active` always has a value
    // (true when a create omits it) and cannot be removed.
    A::new(
        "active",
        AttrType::Boolean,
        "Whether the user can sign in (Dropbox: invited or active = true, suspended = false).",
    )
    .required(),
    // Dropbox identifies members by e-mail: when userName is not an address (a UPN, an opaque id),
    // the primary address in `emails` becomes the Dropbox login. Published as required so that
    // generic clients always send one; a userName that is an address is accepted without it.
    A::complex(
        "emails",
        EMAIL_SUBS,
        "Email addresses; the primary one is the Dropbox login when userName is not an address.",
    )
    .multi()
    .required(),
    A::complex("phoneNumbers", PHONE_SUBS, "Phone numbers.").multi(),
    // Stored by the bridge and returned as sent (`user_stored.rs`): Dropbox has no place for them.
    S[0],
    S[1],
    S[2],
    S[3],
    S[4],
    S[5],
    S[6],
    S[7],
    S[8],
    S[9],
    S[10],
    S[11],
    A::complex("groups", GROUP_REF_SUBS, "Groups the user belongs to.")
        .multi()
        .read_only(),
    META,
];

const MANAGER_SUBS: &[A] = &[
    A::string("value", "The manager's id.").case_exact(),
    A::new("$ref", AttrType::Reference, "The manager's URI.").refs(&["User"]),
    A::string("displayName", "The manager's displayName.").read_only(),
];

const ENTERPRISE_ATTRS: &[A] = &[
    A::string("employeeNumber", "Identifier assigned by the organization."),
    A::string("costCenter", "Cost center."),
    A::string("organization", "Organization."),
    A::string("division", "Division."),
    A::string("department", "Department."),
    A::complex("manager", MANAGER_SUBS, "The user's manager."),
];

/// The core User schema.
pub static USER_SCHEMA: SchemaDef = SchemaDef {
    id: USER_URN,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRS,
};

/// The enterprise User extension.
pub static ENTERPRISE_SCHEMA: SchemaDef = SchemaDef {
    id: ENTERPRISE_URN,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRS,
};

static USER_RESOURCE: ResourceSchema = ResourceSchema {
    name: "User",
    endpoint: "/Users",
    description: "User Account",
    core: &USER_SCHEMA,
    extensions: &[&ENTERPRISE_SCHEMA, &super::DROPBOX_SCHEMA],
};

/// The User resource type.
pub fn user_schema() -> &'static ResourceSchema {
    &USER_RESOURCE
}

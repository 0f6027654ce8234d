//! The Group resource type: the core Group schema.

use super::user::{EXTERNAL_ID, ID, META};
use super::{AttrType, AttributeDef as A, ResourceSchema, SchemaDef};

/// The core Group schema URN.
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

const MEMBER_SUBS: &[A] = &[
    A::string("value", "The member's id.").case_exact(),
    A::string("display", "The member's display name.").read_only(),
    A::new("$ref", AttrType::Reference, "The member's URI.")
        .refs(&["User"])
        .immutable(),
    A::string("type", "The member's resource type.").canonical(&["User"]),
];

const GROUP_ATTRS: &[A] = &[
    ID,
    EXTERNAL_ID,
    A::string("displayName", "A human-readable name for the group.").required(),
    A::complex("members", MEMBER_SUBS, "The members of the group.").multi(),
    META,
];

/// The core Group schema.
pub static GROUP_SCHEMA: SchemaDef = SchemaDef {
    id: GROUP_URN,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRS,
};

static GROUP_RESOURCE: ResourceSchema = ResourceSchema {
    name: "Group",
    endpoint: "/Groups",
    description: "Group",
    core: &GROUP_SCHEMA,
    extensions: &[],
};

/// The Group resource type.
pub fn group_schema() -> &'static ResourceSchema {
    &GROUP_RESOURCE
}

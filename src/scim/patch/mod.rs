//! PATCH (RFC 7644 §3.5.2): parse a PatchOp body and apply its operations to a resource's JSON.

mod apply;
mod parse;
mod tidy;

pub use apply::apply;
pub use parse::{PATCH_OP_URN, PatchOpKind, PatchOperation, parse_patch};

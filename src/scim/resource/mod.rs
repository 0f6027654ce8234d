//! Resource JSON helpers and the typed `ScimUser` / `ScimGroup` views the bridge uses.

mod group;
mod keys;
mod stored;
mod user;

pub use group::{Member, ScimGroup};
pub(crate) use keys::coerce_single;
pub use keys::{coerce, ext_obj, find_key, get_ci, normalize_keys, remove_ci};
pub use stored::{StoredAttributes, render_stored, take_stored};
pub use user::{Enterprise, GroupRef, Meta, MultiValue, Name, ScimUser};

#[cfg(test)]
mod shape_tests;

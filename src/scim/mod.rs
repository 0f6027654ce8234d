//! The SCIM 2.0 protocol (RFC 7643/7644): resources, filters, PATCH, list parameters, errors. Knows nothing of Dropbox.

pub mod error;
pub mod etag;
pub mod filter;
pub mod limits;
pub mod list;
pub mod patch;
pub mod path;
pub mod projection;
pub mod resource;
pub mod schema;

pub use error::{ScimError, ScimType};

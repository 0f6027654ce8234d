//! The HTTP surface: router, middleware, authentication and the SCIM handlers.

pub mod auth;
pub mod base_url;

//! The HTTP surface: router, middleware, authentication and the SCIM handlers.

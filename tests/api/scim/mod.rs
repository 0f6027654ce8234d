//! The SCIM layer: filter and PATCH parsers, resources, authentication, proxies and imports over HTTP.

mod auth;
mod filter;
mod hostile_input;
mod import;
mod patch;
mod proxy;
mod resource;

//! The SCIM layer: filter and PATCH parsers, resources, authentication, proxies and imports over HTTP.

mod auth;
mod etag;
mod filter;
mod hostile_input;
mod import;
mod patch;
mod projection;
mod proxy;
mod resource;
mod root_search;

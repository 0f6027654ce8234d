//! `/Users` over HTTP as each IdP drives it: create, read, update, deactivate, delete and errors.

mod attributes;
mod coalescing;
mod deprovision;
mod dropbox_calls;
mod entra;
mod errors;
mod faults;
mod inactive;
mod lifecycle;
mod listing;
mod okta;
mod other;
mod refusals;
mod roles;
mod roles_lifecycle;
mod runtime_errors;
mod secondary_emails;
mod space_limits;
mod transfer;

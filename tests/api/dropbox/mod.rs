//! The Dropbox client: retry, refresh and job mechanics against a stub, every route against the emulator,
//! and the `dropbox-login` command end to end.

mod budget;
mod budget_shared;
mod client;
mod login;
mod routes;

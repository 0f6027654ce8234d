//! The Dropbox client: retry, refresh and job mechanics against a stub, every route against the emulator,
//! the `dropbox-login` command end to end, and the rate budget (alone, and shared on PostgreSQL).

mod budget;
mod budget_shared;
mod client;
mod login;
mod routes;

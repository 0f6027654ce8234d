//! The Dropbox client: retry, refresh and job mechanics against a stub, every route against the emulator,
//! and the `dropbox-login` command end to end.

mod client;
mod login;
mod routes;

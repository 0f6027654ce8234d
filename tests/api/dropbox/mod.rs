//! The Dropbox client: retry, refresh and job mechanics against a stub, and every route against the emulator.

mod client;
mod routes;

//! Authentication end to end: JWTs (keys made here, a local JWKS server), read-only tokens, SIGHUP
//! reloads of the credentials, and the IP allow-list.

mod allow_list;
mod jwt;
mod keys;
mod logs;
mod process;
mod read_only;
mod readme;
mod reload;

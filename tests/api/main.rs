//! The one integration-test binary: the bridge, its SCIM API, the Dropbox client, the emulator and the
//! store, tested through their public interfaces. Shared builders live in `helpers`.

mod audit;
mod auth;
mod check;
mod config_env;
mod config_examples;
mod deploy;
mod dropbox;
mod emulator;
mod fault_matrix;
mod groups;
mod helpers;
mod hostile;
mod offboarding;
mod openapi;
mod replicas;
mod scim;
mod status;
mod store;
mod telemetry;
mod tls;
mod users;

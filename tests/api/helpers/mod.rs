//! Shared test builders: the real application over HTTP (`TestApp`), a bridge over the emulator
//! (`BridgeEnv`) and a scripted Dropbox stand-in (`dropbox_stub`).

pub mod bridge_env;
pub mod dropbox_stub;
pub mod scim_calls;
pub mod test_app;

//! Shared test builders: the real application over HTTP (`TestApp`, one helper per SCIM call), a bridge
//! over the emulator (`BridgeEnv`), fresh databases (`TestDb`) and a scripted Dropbox stand-in.

pub mod bridge_env;
pub mod bridge_groups;
pub mod bridge_process;
pub mod db;
pub mod dropbox_stub;
pub mod ports;
pub mod scim_calls;
pub mod test_app;
pub mod wait;

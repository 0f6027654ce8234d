//! The example configuration shipped in docker/ loads and validates.

use dropbox_scim_bridge::config::{Config, DeprovisionPolicy};

#[test]
fn docker_example_config_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docker/config.example.toml");
    let config = Config::load_from(Some(&path), Vec::<(String, String)>::new()).expect("valid");
    assert_eq!(config.deprovision.policy, DeprovisionPolicy::SuspendThenRemove);
    assert!(config.store.url.starts_with("postgres://"));
}

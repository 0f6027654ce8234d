//! The example configuration shipped in docker/ loads and validates.

use dropbox_scim_bridge::config::{Config, DeprovisionPolicy};

#[test]
fn docker_example_config_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docker/config.example.toml");
    let config = Config::load_from(Some(&path), Vec::<(String, String)>::new()).expect("valid");
    assert_eq!(
        config.deprovision.policy,
        DeprovisionPolicy::SuspendThenRemove
    );
    assert!(config.store.url.starts_with("postgres://"));
}

/// Every `[deprovision]` example in README.md is a configuration the bridge accepts.
#[test]
fn readme_policy_examples_are_valid() {
    let readme = include_str!("../../README.md");
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.starts_with("[deprovision]"))
        .collect();
    assert!(blocks.len() >= 4, "README shows each policy");
    let dir = tempfile::tempdir().expect("tempdir");
    for block in blocks {
        let path = dir.path().join("c.toml");
        std::fs::write(&path, block).expect("write");
        Config::load_from(Some(&path), Vec::<(String, String)>::new())
            .unwrap_or_else(|e| panic!("README example refused: {e}\n{block}"));
    }
}

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

/// The `[roles]` example in README.md is a configuration the bridge accepts, and a role name it does
/// not know is refused naming the key.
#[test]
fn readme_roles_example_is_valid_and_unknown_roles_are_refused() {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.starts_with("[roles]"))
        .expect("README shows [roles]");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.toml");
    std::fs::write(&path, block).expect("write");
    let config = Config::load_from(Some(&path), Vec::<(String, String)>::new())
        .unwrap_or_else(|e| panic!("README example refused: {e}\n{block}"));
    assert!(config.roles.enabled);
    assert_eq!(config.roles.groups.len(), 1);
    std::fs::write(
        &path,
        block.replace("\"support_admin\"]", "\"super_admin\"]"),
    )
    .expect("write");
    let err = Config::load_from(Some(&path), Vec::<(String, String)>::new())
        .expect_err("unknown role")
        .to_string();
    assert!(
        err.contains("roles.allowed[1]") && err.contains("super_admin"),
        "{err}"
    );
}

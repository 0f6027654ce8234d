//! The `[auth.jwt]` examples in README.md (Entra's included) are configurations the bridge accepts.

use dropbox_scim_bridge::config::Config;

#[test]
fn readme_auth_examples_are_valid() {
    let readme = include_str!("../../../README.md");
    let blocks: Vec<String> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.starts_with("[auth.jwt]"))
        .map(|block| block.replace("<tenant-id>", "00000000-1111-2222-3333-444444444444"))
        .collect();
    assert!(
        blocks.len() >= 2,
        "README shows the general and the Entra config"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for block in blocks {
        let path = dir.path().join("c.toml");
        std::fs::write(&path, &block).expect("write");
        let config = Config::load_from(Some(&path), Vec::<(String, String)>::new())
            .unwrap_or_else(|e| panic!("README example refused: {e}\n{block}"));
        assert!(config.has_tokens(), "a JWT config is a credential");
    }
}

//! The config loader's behaviour: precedence, secrets from files, and errors that name their key.

use super::*;

mod sources;

fn load(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.toml");
    std::fs::write(&path, toml).expect("write");
    Config::load_from(
        Some(&path),
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
}

fn invalid_key(err: ConfigError) -> String {
    match err {
        ConfigError::Invalid { key, .. } => key,
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn defaults_are_safe() {
    let c = load("", &[]).expect("defaults load");
    assert_eq!(c.deprovision.policy, DeprovisionPolicy::Suspend);
    assert_eq!(c.http.path_prefix, "/scim/v2");
    assert!(c.store.url.starts_with("sqlite:"));
    assert!(!c.has_tokens());
}

#[test]
fn environment_overrides_the_file() {
    let c = load(
        "listen = \"127.0.0.1:1\"\n[dropbox]\napp_key = \"a\"\n",
        &[
            ("SCIM_BRIDGE_LISTEN", "0.0.0.0:9000"),
            ("SCIM_BRIDGE_DROPBOX__APP_KEY", "123456"),
            ("SCIM_BRIDGE_USERS__SEND_WELCOME_EMAIL", "false"),
            ("SCIM_BRIDGE_TOKEN", "s3cret"),
        ],
    )
    .expect("loads");
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.dropbox.app_key.as_deref(), Some("123456"));
    assert!(!c.users.send_welcome_email);
    assert_eq!(c.auth.plain_tokens.len(), 1);
}

#[test]
fn file_suffix_reads_a_secret_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = dir.path().join("s");
    std::fs::write(&secret, "from-file\n").expect("write");
    let c = load(
        "",
        &[(
            "SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE",
            secret.to_str().expect("utf8"),
        )],
    )
    .expect("loads");
    use secrecy::ExposeSecret;
    assert_eq!(
        c.dropbox.app_secret.as_ref().map(|s| s.expose_secret()),
        Some("from-file")
    );
}

#[test]
fn unknown_keys_are_named() {
    let err = load("[deprovision]\nwipe_dat = true\n", &[]).expect_err("typo");
    assert!(err.to_string().contains("wipe_dat"), "{err}");
    let err = load("", &[("SCIM_BRIDGE_STORE__URLL", "x")]).expect_err("typo");
    assert!(err.to_string().contains("urll"), "{err}");
}

#[test]
fn keep_account_with_wipe_data_is_refused_with_the_reason() {
    let err = load("[deprovision]\nkeep_account = true\n", &[]).expect_err("refused");
    assert!(err.to_string().contains("wipe_data = false"), "{err}");
    assert_eq!(invalid_key(err), "deprovision.keep_account");
}

#[test]
fn transfer_rules_follow_dropbox() {
    let err = load(
        "[deprovision]\ntransfer_to = \"member\"\ntransfer_dest = \"a@x.com\"\n",
        &[],
    )
    .expect_err("no admin");
    assert_eq!(invalid_key(err), "deprovision.transfer_admin");
    let err = load(
        "[deprovision]\ntransfer_to = \"member\"\ntransfer_admin = \"b@x.com\"\n",
        &[],
    )
    .expect_err("no dest");
    assert_eq!(invalid_key(err), "deprovision.transfer_dest");
    let err = load(
        "[deprovision]\nwipe_data = false\nkeep_account = true\ntransfer_to = \"manager\"\ntransfer_admin = \"b@x.com\"\n",
        &[],
    )
    .expect_err("keep + transfer");
    assert_eq!(invalid_key(err), "deprovision.keep_account");
    let err = load("[deprovision]\nretain_team_shares = true\n", &[]).expect_err("no keep");
    assert_eq!(invalid_key(err), "deprovision.retain_team_shares");
    load(
        "[deprovision]\npolicy = \"remove\"\ntransfer_to = \"manager\"\ntransfer_admin = \"b@x.com\"\n",
        &[],
    )
    .expect("manager without fallback is valid");
}

#[test]
fn bad_values_name_their_key() {
    let err = load("[http]\npath_prefix = \"scim\"\n", &[]).expect_err("prefix");
    assert_eq!(invalid_key(err), "http.path_prefix");
    let err = load("[http]\npublic_base_url = \"ftp://x\"\n", &[]).expect_err("url");
    assert_eq!(invalid_key(err), "http.public_base_url");
    let err = load("[[auth.tokens]]\nname = \"okta\"\nsha256 = \"abc\"\n", &[]).expect_err("hash");
    assert_eq!(invalid_key(err), "auth.tokens[0].sha256");
    let err = load("[store]\nurl = \"mysql://x\"\n", &[]).expect_err("store");
    assert_eq!(invalid_key(err), "store.url");
}

#[test]
fn incomplete_dropbox_credentials_are_explained() {
    let c = load("[dropbox]\napp_key = \"k\"\n", &[]).expect("loads");
    let err = c.dropbox_credentials_complete().expect_err("incomplete");
    assert!(err.to_string().contains("all three"), "{err}");
}

#[test]
fn http_limits_and_allowed_hosts_are_checked() {
    let err = load("[http]\nmax_connections = 0\n", &[]).expect_err("zero");
    assert_eq!(invalid_key(err), "http.max_connections");
    let err = load("[http]\nallowed_hosts = [\"a.com/x\"]\n", &[]).expect_err("host");
    assert_eq!(invalid_key(err), "http.allowed_hosts[0]");
    let c = load(
        "",
        &[(
            "SCIM_BRIDGE_HTTP__ALLOWED_HOSTS",
            "scim.example.com, 10.0.0.5:8080",
        )],
    )
    .expect("comma list");
    assert_eq!(c.http.allowed_hosts, ["scim.example.com", "10.0.0.5:8080"]);
}

#[test]
fn an_operator_token_that_is_also_an_idp_token_is_refused() {
    let hash = crate::tokens::token_hash_hex("shared-token");
    let other = crate::tokens::token_hash_hex("operator-token");
    let idp = format!("[[auth.tokens]]\nname = \"okta\"\nsha256 = \"{hash}\"\n");
    let err =
        load(&format!("{idp}[status]\ntoken_sha256 = \"{hash}\"\n"), &[]).expect_err("status");
    assert_eq!(invalid_key(err), "status.token_sha256");
    let err =
        load(&format!("{idp}[metrics]\ntoken_sha256 = \"{hash}\"\n"), &[]).expect_err("metrics");
    assert_eq!(invalid_key(err), "metrics.token_sha256");
    let status = format!("[status]\ntoken_sha256 = \"{hash}\"\n");
    let err = load(&status, &[("SCIM_BRIDGE_TOKEN", "shared-token")]).expect_err("plain token");
    assert_eq!(invalid_key(err), "status.token_sha256");
    let ok = load(&format!("{idp}[status]\ntoken_sha256 = \"{other}\"\n"), &[]);
    assert!(ok.is_ok(), "{:?}", ok.err());
}

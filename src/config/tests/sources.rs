//! Errors name the key and where its value came from; platform variables are warnings.

use super::super::*;
use super::load;

fn vars(env: &[(&str, &str)]) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load_origins(toml: &str, env: &[(&str, &str)]) -> (tempfile::TempDir, LoadedConfig) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.toml");
    std::fs::write(&path, toml).expect("write");
    let loaded = Config::load_with_origins(Some(&path), vars(env)).expect("loads");
    (dir, loaded)
}

#[test]
fn type_errors_name_the_key_and_the_file_line() {
    let err = load(
        "log_format = \"json\"\n[http]\nbody_limit_bytes = \"1MB\"\n",
        &[],
    )
    .expect_err("not a number");
    let text = err.to_string();
    assert!(text.contains("`http.body_limit_bytes`"), "{text}");
    assert!(text.contains("c.toml line 3"), "{text}");
    assert!(text.contains("\"1MB\""), "{text}");
}

#[test]
fn type_errors_name_the_variable() {
    let err = load("", &[("SCIM_BRIDGE_HTTP__BODY_LIMIT_BYTES", "1MB")]).expect_err("1MB");
    let text = err.to_string();
    assert!(text.contains("`http.body_limit_bytes`"), "{text}");
    assert!(
        text.contains("environment variable SCIM_BRIDGE_HTTP__BODY_LIMIT_BYTES"),
        "{text}"
    );
}

#[test]
fn unknown_variants_are_named_with_the_valid_ones() {
    let err = load("[deprovision]\npolicy = \"Remove\"\n", &[]).expect_err("variant");
    let text = err.to_string();
    assert!(text.contains("unknown variant `Remove`"), "{text}");
    assert!(text.contains("`suspend_then_remove`"), "{text}");
    assert!(text.contains("`deprovision.policy`"), "{text}");
    assert!(text.contains("c.toml line 2"), "{text}");
    let err = load("", &[("SCIM_BRIDGE_DEPROVISION__POLICY", "Remove")]).expect_err("env");
    let text = err.to_string();
    assert!(text.contains("unknown variant `Remove`"), "{text}");
    assert!(text.contains("SCIM_BRIDGE_DEPROVISION__POLICY"), "{text}");
}

#[test]
fn unknown_file_keys_name_their_line_and_list_the_valid_ones() {
    let err = load("\n[deprovision]\nwipe_dat = true\n", &[]).expect_err("typo");
    let text = err.to_string();
    assert!(text.contains("`deprovision.wipe_dat`"), "{text}");
    assert!(text.contains("c.toml line 3"), "{text}");
    assert!(text.contains("`wipe_data`"), "{text}");
}

#[test]
fn validation_errors_name_the_origin() {
    let err = load("[http]\npath_prefix = \"scim\"\n", &[]).expect_err("prefix");
    assert!(err.to_string().contains("c.toml line 2"), "{err}");
    let err = load("", &[("SCIM_BRIDGE_HTTP__PATH_PREFIX", "scim")]).expect_err("prefix");
    assert!(
        err.to_string().contains("SCIM_BRIDGE_HTTP__PATH_PREFIX"),
        "{err}"
    );
    let err = load(
        "[[auth.tokens]]\nname = \"a\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n\n[[auth.tokens]]\nname = \"b\"\nsha256 = \"abc\"\n",
        &[],
    )
    .expect_err("hash");
    assert!(err.to_string().contains("c.toml line 7"), "{err}");
}

#[test]
fn platform_variables_are_warnings_that_never_show_the_value() {
    let (_dir, loaded) = load_origins(
        "",
        &[
            ("SCIM_BRIDGE_PORT", "tcp://10.0.0.1:8080"),
            ("SCIM_BRIDGE_PORT_8080_TCP_ADDR", "10.0.0.1"),
            ("SCIM_BRIDGE_SERVICE_HOST", "10.0.0.1"),
            ("SCIM_BRIDGE_TEST_POSTGRES_URL", "postgres://u:pw@h/db"),
            ("SCIM_BRIDGE_CONFIG", "/etc/bridge.toml"),
        ],
    );
    assert_eq!(loaded.warnings.len(), 4, "{:?}", loaded.warnings);
    assert!(loaded.warnings[0].contains("SCIM_BRIDGE_PORT"));
    for w in &loaded.warnings {
        assert!(!w.contains("10.0.0.1") && !w.contains("pw"), "{w}");
    }
    assert_eq!(loaded.config.listen.port(), 8080);
}

#[test]
fn a_value_and_its_file_variant_together_are_refused_naming_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = dir.path().join("s");
    std::fs::write(&secret, "x").expect("write");
    let secret = secret.to_str().expect("utf8");
    for stem in ["SCIM_BRIDGE_DROPBOX__APP_SECRET", "SCIM_BRIDGE_TOKEN"] {
        let file_var = format!("{stem}_FILE");
        let err = load("", &[(stem, "y"), (&file_var, secret)]).expect_err("both");
        let text = err.to_string();
        assert!(text.contains(&format!("{stem} and")), "{text}");
        assert!(text.contains(&file_var), "{text}");
    }
}

#[test]
fn a_missing_file_prints_the_os_error_once_with_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing.toml");
    let err = Config::load_from(Some(&path), vars(&[])).expect_err("missing");
    let shown = format!("{:#}", anyhow::Error::from(err));
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert_eq!(shown.matches("os error").count(), 1, "{shown}");
}

#[test]
fn each_value_reports_where_it_came_from() {
    let (_dir, loaded) = load_origins(
        "[store]\nurl = \"postgres://bridge:hunter2@db/bridge\"\n\n[deprovision]\npolicy = \"remove\"\n",
        &[
            ("SCIM_BRIDGE_DROPBOX__APP_SECRET", "s3cret-value"),
            ("SCIM_BRIDGE_TOKEN", "plain-token-value"),
            ("SCIM_BRIDGE_USERS__MIRROR_MAX_AGE_SECS", "60"),
        ],
    );
    let env = |var: &str| Origin::Env { var: var.into() };
    let file_line = |line| Origin::File {
        path: _dir.path().join("c.toml"),
        line: Some(line),
    };
    assert_eq!(loaded.origin("deprovision.policy"), file_line(5));
    assert_eq!(loaded.origin("store.url"), file_line(2));
    assert_eq!(
        loaded.origin("users.mirror_max_age_secs"),
        env("SCIM_BRIDGE_USERS__MIRROR_MAX_AGE_SECS")
    );
    assert_eq!(loaded.origin("http.path_prefix"), Origin::Default);
    assert_eq!(loaded.config.users.mirror_max_age_secs, 60);
    let values = loaded.effective_values();
    let shown = format!("{values:?}");
    for secret in ["s3cret-value", "plain-token-value", "hunter2"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let find = |key: &str| values.iter().find(|v| v.key == key).expect(key);
    assert_eq!(find("dropbox.app_secret").value, REDACTED);
    assert_eq!(
        find("dropbox.app_secret").origin,
        env("SCIM_BRIDGE_DROPBOX__APP_SECRET")
    );
    assert_eq!(
        find("auth.plain_tokens[0]").origin,
        env("SCIM_BRIDGE_TOKEN")
    );
    assert_eq!(find("listen").origin, Origin::Default);
    assert_eq!(find("deprovision.policy").value, "remove");
}

//! `check --print-config`: sources named, secrets redacted; ignored variables are check warnings.

use super::{ALL, check_with_env, config, team, with_token};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_config_redacts_secrets_and_names_each_source() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bridge.toml");
    let file = "[dropbox]\naccess_token = \"sl.file-secret-1234\"\n\n\
                [store]\nurl = \"postgres://bridge:db-password-5678@db.internal/scim\"\n";
    std::fs::write(&path, file).expect("write");
    let secret_file = dir.path().join("app_secret");
    std::fs::write(&secret_file, "app-secret-9012\n").expect("write");
    let secret_var = secret_file.display().to_string();
    let env = [
        ("SCIM_BRIDGE_DROPBOX__APP_KEY", "the-app-key"),
        ("SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE", secret_var.as_str()),
        ("SCIM_BRIDGE_TOKEN", "plain-idp-token-3456"),
        ("SCIM_BRIDGE_PORT", "tcp://10.0.0.1:8080"),
    ];
    let secrets = [
        "file-secret-1234",
        "db-password-5678",
        "app-secret-9012",
        "plain-idp-token-3456",
    ];

    let run = check_with_env(&path, &["--print-config"], &env).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    for secret in secrets {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{secret} shown:\n{}",
            run.stdout
        );
    }
    let shown = path.display().to_string();
    let expect = [
        (
            "dropbox.access_token = \"[redacted]\"",
            format!("# {shown} line 2"),
        ),
        (
            "store.url = \"postgres://bridge:",
            format!("# {shown} line 5"),
        ),
        (
            "dropbox.app_key = \"the-app-key\"",
            "# environment variable SCIM_BRIDGE_DROPBOX__APP_KEY".to_owned(),
        ),
        (
            "dropbox.app_secret = \"[redacted]\"",
            "# environment variable SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE".to_owned(),
        ),
        (
            "listen = \"127.0.0.1:8080\"",
            "# built-in default".to_owned(),
        ),
    ];
    for (value, source) in &expect {
        let l = run
            .stdout
            .lines()
            .find(|l| l.starts_with(value))
            .unwrap_or_else(|| panic!("no {value}:\n{}", run.stdout));
        assert!(l.ends_with(source.as_str()), "{l}");
    }
    // The password is replaced, whatever URL encoding the marker gets.
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("store.url") && l.contains("redacted")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("SCIM_BRIDGE_PORT"),
        "the ignored variable is named:\n{}",
        run.stdout
    );

    let json = check_with_env(&path, &["--print-config", "--json"], &env).await;
    assert!(json.ok, "{}", json.stderr);
    for secret in secrets {
        assert!(
            !json.stdout.contains(secret),
            "{secret} shown:\n{}",
            json.stdout
        );
    }
    let doc: Value = serde_json::from_str(&json.stdout).expect("--print-config --json prints JSON");
    let rows = doc["config"].as_array().expect("config rows");
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no {key}"))
    };
    assert_eq!(row("dropbox.app_secret")["value"], "[redacted]");
    assert_eq!(row("dropbox.app_secret")["kind"], "env");
    assert_eq!(
        row("dropbox.app_secret")["source"],
        "environment variable SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE"
    );
    assert_eq!(row("dropbox.access_token")["kind"], "file");
    assert_eq!(
        row("dropbox.access_token")["source"],
        format!("{shown} line 2")
    );
    assert_eq!(row("listen")["kind"], "default");
    assert_eq!(row("auth.plain_tokens[0]")["value"], "[redacted]");
    assert!(
        doc["warnings"][0]
            .as_str()
            .expect("a warning")
            .contains("SCIM_BRIDGE_PORT")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ignored_variable_is_a_warning_of_check() {
    let (emulator, _) = team().await;
    let token = emulator.emulator.issue_token(ALL);
    let dir = tempfile::tempdir().expect("dir");
    let path = config(dir.path(), &with_token(&emulator, &token), None, "");
    let run = check_with_env(&path, &[], &[("SCIM_BRIDGE_PORT", "tcp://10.0.0.1:8080")]).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("config: warn") && l.contains("SCIM_BRIDGE_PORT")),
        "{}",
        run.stdout
    );
}

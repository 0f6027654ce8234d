//! End to end: the real binary's `check` against the emulator over loopback finds what will fail
//! (missing scopes, transfer targets, placeholder hashes), reports all of it, also as JSON.

use std::path::Path;
use std::time::Duration;

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use dropbox_scim_bridge::tokens::{generate_token, token_hash_hex};
use serde_json::Value;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dropbox-scim-bridge");

/// Every scope the bridge needs, as the emulator names them.
const ALL: &[&str] = &[
    "team_info.read",
    "members.read",
    "members.write",
    "members.delete",
    "groups.read",
    "groups.write",
];

/// An emulated team of 10 licences with the admin and one plain member; returns the member's id.
async fn team() -> (RunningEmulator, String) {
    let config = EmulatorConfig {
        num_licensed_users: 10,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::spawn(config).await.expect("emulator");
    let member = emulator.emulator.seed_members(1).remove(0);
    (emulator, member)
}

/// A config file in `dir`: `dropbox` lines, a real token hash unless `hash` is given, and `extra`.
fn config(dir: &Path, dropbox: &str, hash: Option<&str>, extra: &str) -> std::path::PathBuf {
    let hash = hash.map_or_else(|| token_hash_hex(&generate_token()), str::to_owned);
    let store = format!("sqlite://{}?mode=rwc", dir.join("bridge.sqlite").display());
    let text = format!(
        "[dropbox]\n{dropbox}\n[store]\nurl = \"{store}\"\n\n\
         [[auth.tokens]]\nname = \"okta\"\nsha256 = \"{hash}\"\n\n{extra}\n"
    );
    let path = dir.join("bridge.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// `[dropbox]` lines for a fixed access token.
fn with_token(emulator: &RunningEmulator, token: &str) -> String {
    format!(
        "base_url = \"{}\"\naccess_token = \"{token}\"",
        emulator.base_url
    )
}

/// `[deprovision]` removing at once and transferring files to `dest`, errors to `admin`.
fn transfer(dest: &str, admin: &str) -> String {
    format!(
        "[deprovision]\npolicy = \"remove\"\nwipe_data = false\ntransfer_to = \"member\"\n\
         transfer_dest = \"{dest}\"\ntransfer_admin = \"{admin}\""
    )
}

/// Exit status, stdout and stderr of one `check` run.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn check(config: &Path, extra: &[&str]) -> Run {
    check_with_env(config, extra, &[]).await
}

/// `check` with only `env` of the `SCIM_BRIDGE_*` variables set.
async fn check_with_env(config: &Path, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("SCIM_BRIDGE_") || name.starts_with("DROPBOX_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.arg("check").arg("--config").arg(config).args(extra);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("check finishes in time")
        .expect("check runs");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The report line of the check called `name`.
fn line<'a>(run: &'a Run, name: &str) -> &'a str {
    let prefix = format!("{name}: ");
    run.stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{name}` line in:\n{}", run.stdout))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_config_passes_and_shows_the_team_its_licences_and_the_admin() {
    let (emulator, member) = team().await;
    let dir = tempfile::tempdir().expect("dir");
    // The refresh-token flow with the emulator's configured app.
    let dropbox = format!(
        "base_url = \"{}\"\napp_key = \"emulator-app-key\"\napp_secret = \"emulator-app-secret\"\n\
         refresh_token = \"emulator-refresh-token\"",
        emulator.base_url
    );
    let path = config(
        dir.path(),
        &dropbox,
        None,
        &transfer(&member, "admin@example.com"),
    );
    let run = check(&path, &[]).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(": fail"), "{}", run.stdout);
    assert!(!run.stdout.contains(": warn"), "{}", run.stdout);
    assert!(
        line(&run, "dropbox.team").contains("Emulated Team: 2 of 10 licences used, 8 free"),
        "{}",
        run.stdout
    );
    assert!(line(&run, "dropbox.admin").contains("admin@example.com"));
    assert!(line(&run, "dropbox.scopes").contains("all granted"));
    assert!(line(&run, "deprovision.transfer_dest").starts_with("deprovision.transfer_dest: ok"));
    assert!(line(&run, "deprovision.transfer_admin").contains("an active Team admin"));
    assert!(line(&run, "store").starts_with("store: ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_a_scope_fails_naming_each_missing_scope() {
    let (emulator, _) = team().await;
    let granted: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|s| !matches!(*s, "members.delete" | "groups.write"))
        .collect();
    let token = emulator.emulator.issue_token(&granted);
    let dir = tempfile::tempdir().expect("dir");
    let path = config(dir.path(), &with_token(&emulator, &token), None, "");
    let run = check(&path, &[]).await;
    assert!(!run.ok, "{}", run.stdout);
    let scopes = line(&run, "dropbox.scopes");
    assert!(scopes.starts_with("dropbox.scopes: fail"), "{scopes}");
    assert!(scopes.contains("members.delete"), "{scopes}");
    assert!(scopes.contains("groups.write"), "{scopes}");
    assert!(!scopes.contains("members.write"), "{scopes}");
    assert!(line(&run, "dropbox").starts_with("dropbox: ok"));
    // The probes wrote nothing.
    assert_eq!(emulator.emulator.calls("members/remove").len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_dest_that_is_no_member_fails_naming_the_key() {
    let (emulator, _) = team().await;
    let token = emulator.emulator.issue_token(ALL);
    let dir = tempfile::tempdir().expect("dir");
    let extra = transfer("nobody@example.com", "admin@example.com");
    let path = config(dir.path(), &with_token(&emulator, &token), None, &extra);
    let run = check(&path, &[]).await;
    assert!(!run.ok, "{}", run.stdout);
    let dest = line(&run, "deprovision.transfer_dest");
    assert!(
        dest.starts_with("deprovision.transfer_dest: fail"),
        "{dest}"
    );
    assert!(dest.contains("nobody@example.com"), "{dest}");
    assert!(dest.contains("transfer_dest_user_not_found"), "{dest}");
    assert!(run.stderr.contains("1 check failed"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placeholder_token_hash_warns_and_still_exits_zero() {
    let (emulator, _) = team().await;
    let token = emulator.emulator.issue_token(ALL);
    let dir = tempfile::tempdir().expect("dir");
    let zeros = "0".repeat(64);
    let path = config(dir.path(), &with_token(&emulator, &token), Some(&zeros), "");
    let run = check(&path, &[]).await;
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    let hash = line(&run, "auth.tokens[0].sha256");
    assert!(hash.contains(": warn"), "{hash}");
    assert!(hash.contains("placeholder"), "{hash}");
    assert!(run.stdout.contains("check: warn"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_problems_are_all_reported_and_the_json_says_the_same() {
    let (emulator, member) = team().await;
    let token = emulator
        .emulator
        .issue_token(&["team_info.read", "members.read"]);
    let dir = tempfile::tempdir().expect("dir");
    let zeros = "0".repeat(64);
    // The destination does not exist and the admin is a plain member.
    let extra = transfer("nobody@example.com", &member);
    let path = config(
        dir.path(),
        &with_token(&emulator, &token),
        Some(&zeros),
        &extra,
    );

    let text = check(&path, &[]).await;
    assert!(!text.ok, "{}", text.stdout);
    let expected = [
        ("auth.tokens[0].sha256", "warn"),
        ("dropbox", "ok"),
        ("dropbox.team", "ok"),
        ("dropbox.scopes", "fail"),
        ("dropbox.admin", "ok"),
        ("deprovision.transfer_dest", "fail"),
        ("deprovision.transfer_admin", "fail"),
        ("store", "ok"),
    ];
    for (name, status) in expected {
        let l = line(&text, name);
        assert!(l.starts_with(&format!("{name}: {status}")), "{l}");
    }
    assert!(line(&text, "deprovision.transfer_admin").contains("transfer_admin_is_not_admin"));
    assert!(text.stderr.contains("3 checks failed"), "{}", text.stderr);

    let json = check(&path, &["--json"]).await;
    assert!(!json.ok);
    let report: Value = serde_json::from_str(&json.stdout).expect("--json prints JSON");
    assert_eq!(report["status"], "fail");
    let checks = report["checks"].as_array().expect("checks");
    for c in checks {
        let name = c["name"].as_str().expect("name");
        let shown = format!("{name}: {}", c["status"].as_str().expect("status"));
        let detail = c["detail"].as_str().expect("detail");
        assert_eq!(line(&text, name), format!("{shown} - {detail}"));
    }
    for (name, status) in expected {
        assert!(
            checks
                .iter()
                .any(|c| c["name"] == name && c["status"] == status),
            "{name} {status} in {report:#}"
        );
    }
    assert!(
        !json.stdout.contains("check:"),
        "JSON only on stdout: {}",
        json.stdout
    );
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_fail_once_and_the_other_checks_still_run() {
    let (emulator, _) = team().await;
    let dir = tempfile::tempdir().expect("dir");
    let dropbox = format!(
        "base_url = \"{}\"\napp_key = \"emulator-app-key\"\nrefresh_token = \"revoked\"",
        emulator.base_url
    );
    let zeros = "0".repeat(64);
    let path = config(dir.path(), &dropbox, Some(&zeros), "");
    let run = check(&path, &[]).await;
    assert!(!run.ok, "{}", run.stdout);
    let dropbox = line(&run, "dropbox");
    assert!(
        dropbox.starts_with("dropbox: fail - Dropbox refused the credentials"),
        "{dropbox}"
    );
    assert!(dropbox.contains("token refresh refused"), "{dropbox}");
    // Nothing else is asked of Dropbox, and the local checks are still reported.
    assert!(!run.stdout.contains("dropbox.scopes"), "{}", run.stdout);
    assert!(line(&run, "auth.tokens[0].sha256").contains(": warn"));
    assert!(line(&run, "store").starts_with("store: ok"));
}

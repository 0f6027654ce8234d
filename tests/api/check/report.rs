//! `check`'s report: a healthy team passes; each kind of problem is found, named and reported with
//! the others, in text and in JSON.

use super::{ALL, check, config, line, team, transfer, with_token};
use serde_json::Value;

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
    for name in [
        "dropbox.scopes",
        "deprovision.transfer_dest",
        "deprovision.transfer_admin",
    ] {
        assert!(
            text.stderr.contains(&format!("  {name}: ")),
            "{}",
            text.stderr
        );
    }

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

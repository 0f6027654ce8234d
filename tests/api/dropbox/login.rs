//! End to end: the real binary's `dropbox-login` against the emulator over loopback, from the
//! authorize URL to a private refresh-token file whose printed config passes `check`.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_dropbox-scim-bridge");

/// The binary with a clean `SCIM_BRIDGE_*` environment and its store in `dir`.
fn bridge(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("SCIM_BRIDGE_") || name.starts_with("DROPBOX_") {
            cmd.env_remove(name);
        }
    }
    let store = format!("sqlite://{}?mode=rwc", dir.join("bridge.sqlite").display());
    cmd.env("SCIM_BRIDGE_STORE__URL", store)
        .current_dir(dir)
        .kill_on_drop(true);
    cmd
}

/// Gets a code from the emulator's authorize page, the way an admin's browser would.
async fn approve(authorize_url: &str) -> String {
    let page = reqwest::get(authorize_url)
        .await
        .expect("authorize page")
        .text()
        .await
        .expect("page body");
    page.split("value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page shows a code")
        .to_owned()
}

/// What one run of a command left behind.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
    /// The code that was pasted, if the command got as far as asking for one.
    code: Option<String>,
}

/// Runs `dropbox-login`, pasting `paste` or else the code the printed authorize URL gives.
async fn login(dir: &Path, base: &str, extra: &[&str], paste: Option<&str>) -> Run {
    let authorize = format!("{base}/oauth2/authorize");
    let mut child = bridge(dir)
        .args(["dropbox-login", "--app-key", "emulator-app-key"])
        .args(["--refresh-token-file", "rt", "--api-url", base])
        .args(["--authorize-url", &authorize])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let mut url = None;
    while url.is_none() {
        let mut line = String::new();
        if stdout.read_line(&mut line).await.expect("read") == 0 {
            break;
        }
        if line.trim().starts_with(&authorize) {
            url = Some(line.trim().to_owned());
        }
        printed.push_str(&line);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let mut code = None;
    if let Some(url) = &url {
        assert!(url.contains("code_challenge_method=S256"), "{url}");
        assert!(url.contains("token_access_type=offline"), "{url}");
        let pasted = match paste {
            Some(c) => c.to_owned(),
            None => approve(url).await,
        };
        stdin
            .write_all(format!("{pasted}\n").as_bytes())
            .await
            .expect("paste");
        code = Some(pasted);
    }
    drop(stdin);
    stdout.read_to_string(&mut printed).await.expect("read");
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("finishes in time")
        .expect("output");
    Run {
        ok: output.status.success(),
        stdout: printed,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code,
    }
}

/// Runs `check` with the `KEY=value` lines `dropbox-login` printed.
async fn check_with_printed_config(dir: &Path, printed: &str) -> Output {
    let mut cmd = bridge(dir);
    let mut lines = 0;
    for line in printed.lines() {
        if let Some((key, value)) = line
            .split_once('=')
            .filter(|(k, _)| k.starts_with("SCIM_BRIDGE_"))
        {
            cmd.env(key, value);
            lines += 1;
        }
    }
    assert!(lines >= 2, "no config lines printed:\n{printed}");
    let run = cmd.arg("check").output();
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("finishes in time")
        .expect("output")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropbox_login_saves_a_private_refresh_token_that_check_accepts() {
    use std::os::unix::fs::PermissionsExt;
    let emulator = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    let base = emulator.base_url.clone();
    let dir = tempfile::tempdir().expect("dir");

    let first = login(dir.path(), &base, &[], None).await;
    assert!(
        first.ok,
        "stdout:\n{}\nstderr:\n{}",
        first.stdout, first.stderr
    );
    assert!(first.stdout.contains("dropbox: ok"), "{}", first.stdout);
    let file = dir.path().join("rt");
    let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let token = std::fs::read_to_string(&file)
        .expect("token")
        .trim()
        .to_owned();
    assert!(!token.is_empty());
    assert!(
        !first.stdout.contains(&token) && !first.stderr.contains(&token),
        "token printed"
    );
    assert!(
        first
            .stdout
            .contains("SCIM_BRIDGE_DROPBOX__APP_KEY=emulator-app-key")
    );
    assert!(
        first
            .stdout
            .contains("SCIM_BRIDGE_DROPBOX__REFRESH_TOKEN_FILE=")
    );

    let check = check_with_printed_config(dir.path(), &first.stdout).await;
    let check_out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{check_out}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(check_out.contains("dropbox: ok"), "{check_out}");

    // The code is spent: Dropbox's token endpoint answers invalid_grant.
    let code = first.code.clone().expect("a code was pasted");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", "emulator-app-key"),
        ("code_verifier", &"v".repeat(64)),
    ];
    let reused = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .form(&form)
        .send()
        .await
        .expect("token endpoint");
    assert_eq!(reused.status(), 400);
    let body: serde_json::Value = reused.json().await.expect("json");
    assert_eq!(body["error"], "invalid_grant");

    // Without --force the saved token is kept, before anything is asked.
    let again = login(dir.path(), &base, &[], None).await;
    assert!(!again.ok && again.code.is_none(), "{}", again.stdout);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);

    // Pasting the spent code names the fix, and leaves the saved token alone.
    let spent = login(dir.path(), &base, &["--force"], Some(&code)).await;
    assert!(!spent.ok);
    assert!(spent.stderr.contains("invalid_grant"), "{}", spent.stderr);
    assert!(
        spent.stderr.contains("run the command again"),
        "{}",
        spent.stderr
    );
    let kept = std::fs::read_to_string(&file).expect("token");
    assert_eq!(kept.trim(), token);
}

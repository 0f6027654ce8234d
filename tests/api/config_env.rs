//! The real binary starts when Kubernetes injects `SCIM_BRIDGE_PORT=tcp://…` (a Service named
//! `scim-bridge`): the variable is a warning that names it, never its value, and not a crash loop.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn serve_demo_starts_with_a_kubernetes_service_variable_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"));
    for (name, _) in std::env::vars().filter(|(k, _)| k.starts_with("SCIM_BRIDGE_")) {
        command.env_remove(name);
    }
    let mut child = command
        .args(["serve", "--demo", "--data-dir"])
        .arg(dir.path())
        .env("SCIM_BRIDGE_PORT", "tcp://10.0.0.1:8080")
        .env("SCIM_BRIDGE_PORT_8080_TCP_ADDR", "10.0.0.1")
        .env("SCIM_BRIDGE_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let started = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("SCIM base URL: http://127.0.0.1:"));
    child.kill().expect("stop the demo");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr reads");
    let _ = child.wait();
    assert!(started, "the demo did not start; stderr:\n{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: ignoring SCIM_BRIDGE_PORT"))
        .collect();
    assert_eq!(warnings.len(), 2, "one warning per variable:\n{stderr}");
    assert!(!stderr.contains("10.0.0.1"), "a value leaked:\n{stderr}");
}

/// Runs `check` with a config file and variables, and answers its exit success and stderr.
fn check_with(file: Option<&std::path::Path>, vars: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"));
    for (name, _) in std::env::vars().filter(|(k, _)| k.starts_with("SCIM_BRIDGE_")) {
        command.env_remove(name);
    }
    command.arg("check");
    if let Some(file) = file {
        command.arg("--config").arg(file);
    }
    let out = command
        .envs(vars.iter().copied())
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_errors_from_the_binary_name_the_key_and_where_the_value_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bridge.toml");
    std::fs::write(&file, "[deprovision]\npolicy = \"Remove\"\n").expect("write config");

    // A wrong variant in the file: the dotted key, the file and its line.
    let (ok, err) = check_with(Some(&file), &[]);
    assert!(!ok, "a bad policy must fail:\n{err}");
    assert!(err.contains("deprovision.policy"), "{err}");
    assert!(err.contains("bridge.toml line 2"), "{err}");
    assert!(err.contains("unknown variant `Remove`"), "{err}");

    // A type error from the environment: the variable's name.
    let (ok, err) = check_with(None, &[("SCIM_BRIDGE_HTTP__BODY_LIMIT_BYTES", "1MB")]);
    assert!(!ok, "\"1MB\" is not a number:\n{err}");
    assert!(err.contains("http.body_limit_bytes"), "{err}");
    assert!(err.contains("SCIM_BRIDGE_HTTP__BODY_LIMIT_BYTES"), "{err}");

    // X and X_FILE both set: an error naming both.
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "s3cret").expect("write secret");
    let secret_file = secret.display().to_string();
    let (ok, err) = check_with(
        None,
        &[
            ("SCIM_BRIDGE_DROPBOX__APP_SECRET", "other"),
            ("SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE", secret_file.as_str()),
        ],
    );
    assert!(!ok, "both set must fail:\n{err}");
    assert!(
        err.contains("SCIM_BRIDGE_DROPBOX__APP_SECRET_FILE"),
        "{err}"
    );
    assert!(err.contains("SCIM_BRIDGE_DROPBOX__APP_SECRET "), "{err}");
    assert!(!err.contains("s3cret"), "a secret leaked:\n{err}");

    // A missing file: the OS error once, with the path.
    let missing = dir.path().join("missing.toml");
    let (ok, err) = check_with(Some(&missing), &[]);
    assert!(!ok, "a missing file must fail:\n{err}");
    assert!(err.contains("missing.toml"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

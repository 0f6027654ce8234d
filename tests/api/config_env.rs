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

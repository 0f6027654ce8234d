//! The image's `HEALTHCHECK` command, as docker/Dockerfile writes it, run from the real binary: exit 0
//! while the bridge serves, 1 when nothing answers; `--ready` probes `/readyz`.

use crate::helpers::ports::free_port;
use crate::helpers::test_app::TestApp;
use std::path::Path;
use std::process::Output;

/// The JSON array after `CMD` in the Dockerfile's HEALTHCHECK (continuation lines joined).
fn dockerfile_healthcheck() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docker/Dockerfile");
    let text = std::fs::read_to_string(path).expect("docker/Dockerfile");
    let joined = text.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| l.starts_with("HEALTHCHECK "))
        .expect("a HEALTHCHECK line");
    let cmd = line
        .split_once(" CMD ")
        .expect("HEALTHCHECK ... CMD [...]")
        .1;
    serde_json::from_str(cmd.trim()).expect("exec form: a JSON array (no shell in the image)")
}

/// Runs the HEALTHCHECK's arguments (and `extra`) with only `SCIM_BRIDGE_LISTEN` set, as in the image.
async fn run(listen: &str, extra: &[&str]) -> Output {
    let cmd = dockerfile_healthcheck();
    assert_eq!(cmd[0], "dropbox-scim-bridge", "the image's binary");
    tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
        .args(&cmd[1..])
        .args(extra)
        .env_clear()
        .env("SCIM_BRIDGE_LISTEN", listen)
        .output()
        .await
        .expect("the binary runs")
}

fn listen_of(app: &TestApp) -> String {
    let rest = app.base.strip_prefix("http://").expect("http base");
    rest.split('/').next().expect("host:port").to_owned()
}

#[tokio::test]
async fn the_image_healthcheck_passes_while_the_bridge_serves() {
    let app = TestApp::spawn().await;
    let listen = listen_of(&app);

    let live = run(&listen, &[]).await;
    let ready = run(&listen, &["--ready"]).await;

    assert_eq!(dockerfile_healthcheck()[1], "healthcheck");
    assert!(live.status.success(), "{live:?}");
    assert!(String::from_utf8_lossy(&live.stdout).contains("/healthz: 200"));
    assert!(ready.status.success(), "{ready:?}");
    assert!(String::from_utf8_lossy(&ready.stdout).contains("/readyz: 200"));
}

#[tokio::test]
async fn the_image_healthcheck_fails_when_nothing_answers() {
    let out = run(&format!("127.0.0.1:{}", free_port()), &[]).await;

    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer"));
}

#[tokio::test]
async fn the_healthcheck_of_a_wildcard_listen_address_goes_to_loopback() {
    let app = TestApp::spawn().await;
    let port = listen_of(&app).rsplit(':').next().expect("port").to_owned();

    let out = run(&format!("0.0.0.0:{port}"), &[]).await;

    assert!(out.status.success(), "{out:?}");
}

#[tokio::test]
async fn the_healthcheck_gives_up_on_a_server_that_never_answers() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let listen = silent.local_addr().expect("address").to_string();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_dropbox-scim-bridge"))
        .args(["healthcheck", "--timeout-secs", "1"])
        .env_clear()
        .env("SCIM_BRIDGE_LISTEN", &listen)
        .output()
        .await
        .expect("the binary runs");

    held.abort();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

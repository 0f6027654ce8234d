//! docker/compose.yaml, docker/Dockerfile and the README's proxy snippets, checked against each other
//! and against the binary's settings.

use super::manifests::yaml;
use dropbox_scim_bridge::config::Config;
use std::path::Path;

fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Seconds in a compose duration such as `75s`, `1m30s` or `2m`.
fn seconds(duration: &str) -> u64 {
    let (mut total, mut number) = (0, String::new());
    for c in duration.chars() {
        match c {
            '0'..='9' => number.push(c),
            'm' | 's' | 'h' => {
                let n: u64 = number.parse().expect("a number before the unit");
                total += n * match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                number.clear();
            }
            _ => panic!("unexpected {c} in {duration}"),
        }
    }
    assert!(number.is_empty(), "{duration}: a unit is missing");
    total
}

#[test]
fn compose_waits_for_postgres_and_outlasts_a_request_on_stop() {
    let compose = yaml("docker/compose.yaml");
    let services = &compose["services"];
    let bridge = &services["bridge"];
    let config_mount = bridge["volumes"][0].as_str().expect("config mount");
    let (source, target) = config_mount.split_once(':').expect("source:target");
    let config = Config::load_from(
        Some(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docker")
                .join(source),
        ),
        Vec::<(String, String)>::new(),
    )
    .expect("the compose config loads");

    assert_eq!(
        format!(
            "{}:ro",
            bridge["environment"]["SCIM_BRIDGE_CONFIG"]
                .as_str()
                .expect("env")
        ),
        target
    );
    let grace = seconds(
        bridge["stop_grace_period"]
            .as_str()
            .expect("stop_grace_period"),
    );
    assert!(grace > config.http.request_timeout_secs, "{grace} s");
    assert_eq!(
        bridge["depends_on"]["postgres"]["condition"],
        "service_healthy"
    );
    assert!(services["postgres"]["healthcheck"]["test"].is_array());
    for name in ["postgres", "bridge", "caddy"] {
        assert_eq!(services[name]["restart"], "unless-stopped", "{name}");
    }
    let caddy = &services["caddy"];
    assert_eq!(caddy["ports"], serde_json::json!(["80:80", "443:443"]));
    // Caddy serves the host the bridge names in its URLs, and reaches it on the image's port.
    let public = config
        .http
        .public_base_url
        .as_deref()
        .expect("public_base_url");
    assert_eq!(
        format!(
            "https://{}",
            caddy["environment"]["SCIM_SITE"].as_str().expect("site")
        ),
        public.trim_end_matches('/')
    );
    let image_listen = repo_file("docker/Dockerfile");
    let port = image_listen
        .lines()
        .find_map(|l| l.strip_prefix("ENV SCIM_BRIDGE_LISTEN="))
        .and_then(|a| a.rsplit(':').next())
        .expect("the image's listen address");
    assert_eq!(
        caddy["environment"]["SCIM_UPSTREAM"],
        format!("bridge:{port}")
    );
    let volumes = caddy["volumes"].to_string();
    assert!(
        volumes.contains(":/data\"") && volumes.contains("./Caddyfile:"),
        "{volumes}"
    );
}

#[test]
fn the_image_runs_as_a_non_root_user() {
    let dockerfile = repo_file("docker/Dockerfile");
    let runtime = dockerfile
        .rsplit("\nFROM ")
        .next()
        .expect("a runtime stage");
    let user = runtime
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("USER in the runtime stage");
    let uid = user.split(':').next().expect("uid");
    assert!(uid.parse::<u32>().is_ok_and(|u| u != 0), "{user}");
    assert!(runtime.contains("HEALTHCHECK "));
}

#[test]
fn the_readme_shows_the_tested_proxy_snippets() {
    let readme = repo_file("README.md");
    for snippet in ["docker/nginx.conf", "docker/Caddyfile"] {
        let text = repo_file(snippet);
        assert!(
            readme.contains(text.trim_end()),
            "README.md must show {snippet} as it is"
        );
    }
}

#[test]
fn the_build_context_leaves_out_build_output_local_data_and_git() {
    let ignore = repo_file(".dockerignore");
    let rules: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
    for needed in [".git", "target/", "data/", "**/*.sqlite*"] {
        assert!(rules.contains(&needed), ".dockerignore lacks {needed}");
    }
}

//! docker/kubernetes/ against the binary: the probes name routes it serves on the port its config listens
//! on, the environment names real settings whose files the Secret provides, and the grace period
//! outlasts a request. (The API schemas are checked by .ci/kubernetes.sh.)

use crate::helpers::test_app::TestApp;
use dropbox_scim_bridge::config::Config;
use serde_json::Value;
use std::path::Path;

/// A YAML file of the repository, as JSON values.
pub fn yaml(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn str_of<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} is not a string in {v}"))
}

/// The Deployment's bridge container.
fn container() -> Value {
    yaml("docker/kubernetes/deployment.yaml")["spec"]["template"]["spec"]["containers"][0].clone()
}

/// The config the pod runs with: the ConfigMap's file, and the Deployment's variables with each
/// `*_FILE` pointing at a copy of the Secret's key it names under the secret volume's mount path.
fn pod_config(dir: &Path) -> Config {
    let c = container();
    let mount = |volume: &str| {
        c["volumeMounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .find(|m| m["name"] == volume)
            .map(|m| str_of(m, "/mountPath").to_owned())
            .unwrap_or_else(|| panic!("no {volume} mount"))
    };
    let config_map = yaml("docker/kubernetes/configmap.yaml");
    let secret = yaml("docker/kubernetes/secret.yaml");
    let mut vars = Vec::new();
    let mut config_file = None;
    for var in c["env"].as_array().expect("env") {
        let (name, value) = (str_of(var, "/name"), str_of(var, "/value"));
        if name == "SCIM_BRIDGE_CONFIG" {
            let key = value
                .strip_prefix(&format!("{}/", mount("config")))
                .expect("the config file is in the config volume");
            let path = dir.join("config.toml");
            std::fs::write(&path, str_of(&config_map, &format!("/data/{key}"))).expect("write");
            config_file = Some(path);
        } else if name.ends_with("_FILE") {
            let key = value
                .strip_prefix(&format!("{}/", mount("secrets")))
                .unwrap_or_else(|| panic!("{name} is not in the secret volume"));
            let path = dir.join(key);
            std::fs::write(&path, str_of(&secret, &format!("/stringData/{key}"))).expect("write");
            vars.push((name.to_owned(), path.display().to_string()));
        } else {
            vars.push((name.to_owned(), value.to_owned()));
        }
    }
    Config::load_from(config_file.as_deref(), vars).expect("the pod's config loads")
}

#[test]
fn the_pod_config_is_valid_and_listens_on_the_container_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = pod_config(dir.path());
    let c = container();
    let port = &c["ports"][0];

    assert_eq!(port["name"], "http");
    assert_eq!(port["containerPort"], u64::from(config.listen.port()));
    assert!(
        config.listen.ip().is_unspecified(),
        "reachable from the kubelet"
    );
    assert!(
        config.store.url.starts_with("postgres"),
        "replicas share PostgreSQL"
    );
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert_eq!(c[probe]["httpGet"]["port"], "http", "{probe}");
    }
    let pod = &yaml("docker/kubernetes/deployment.yaml")["spec"]["template"]["spec"];
    let grace = pod["terminationGracePeriodSeconds"]
        .as_u64()
        .expect("grace");
    assert!(grace > config.http.request_timeout_secs, "{grace} s");
}

#[tokio::test]
async fn the_probes_name_routes_the_bridge_serves_without_a_token() {
    let app = TestApp::spawn().await;
    let origin = app.base.trim_end_matches("/scim/v2");
    let c = container();

    let live = str_of(&c, "/livenessProbe/httpGet/path");
    let ready = str_of(&c, "/readinessProbe/httpGet/path");

    assert_eq!((live, ready), ("/healthz", "/readyz"));
    for path in [live, ready, str_of(&c, "/startupProbe/httpGet/path")] {
        let status = reqwest::get(format!("{origin}{path}"))
            .await
            .expect("probe");
        assert_eq!(status.status().as_u16(), 200, "{path}");
    }
}

#[test]
fn two_replicas_behind_a_service_and_a_disruption_budget() {
    let deployment = yaml("docker/kubernetes/deployment.yaml");
    let service = yaml("docker/kubernetes/service.yaml");
    let pdb = yaml("docker/kubernetes/pdb.yaml");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];

    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_eq!(&deployment["spec"]["selector"]["matchLabels"], labels);
    assert_eq!(&service["spec"]["selector"], labels);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    assert_eq!(&pdb["spec"]["selector"]["matchLabels"], labels);
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    let security = &deployment["spec"]["template"]["spec"]["securityContext"];
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["runAsUser"], 65532, "the image's nonroot user");
}

//! Reads `openapi/scim.yaml` into the list of documented operations.

use reqwest::Method;
use serde_json::Value;

/// The SCIM prefix the document's paths are written under (the default `http.path_prefix`).
pub const DOC_PREFIX: &str = "/scim/v2";

/// The HTTP methods an OpenAPI path item can hold, in the document's spelling.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The path template, e.g. `/scim/v2/Users/{id}`.
    pub path: String,
    /// The method.
    pub method: Method,
    /// `x-optional: true`: served only when configured (metrics, status page).
    pub optional: bool,
    /// The operation object.
    pub spec: Value,
}

/// The parsed document.
pub fn load() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/scim.yaml");
    let text = std::fs::read_to_string(path).expect("openapi/scim.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("openapi/scim.yaml is valid YAML")
}

/// Every operation in `doc`, in document order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let paths = doc["paths"].as_object().expect("paths is a map");
    let mut out = Vec::new();
    for (path, item) in paths {
        for name in METHODS {
            if let Some(spec) = item.get(*name) {
                out.push(Operation {
                    path: path.clone(),
                    method: Method::from_bytes(name.to_ascii_uppercase().as_bytes())
                        .expect("a method name"),
                    optional: spec["x-optional"] == Value::Bool(true),
                    spec: spec.clone(),
                });
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`) once, or returns `value` itself.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved $ref {r}")),
        None => value,
    }
}

/// A concrete request path for a documented template: the prefix of a running bridge replaces
/// [`DOC_PREFIX`], and each `{param}` takes a value the route accepts without a resource existing.
pub fn concrete(path: &str) -> String {
    let value = |name: &str| match (path, name) {
        (p, "id") if p.contains("/Schemas/") => "urn:ietf:params:scim:schemas:core:2.0:User",
        (_, "name") => "User",
        _ => "probe-no-such-id",
    };
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("closed {param}") + open;
        out.push_str(&rest[..open]);
        out.push_str(value(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_document_is_openapi_3_1_with_the_bearer_schemes() {
    let doc = load();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearerToken"]["scheme"], "bearer");
    assert_eq!(schemes["jwtBearer"]["scheme"], "bearer");
    assert_eq!(schemes["jwtBearer"]["bearerFormat"], "JWT");
    assert_eq!(
        concrete("/scim/v2/Schemas/{id}"),
        "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    );
    assert_eq!(
        concrete("/scim/v2/Users/{id}"),
        "/scim/v2/Users/probe-no-such-id"
    );
}

#[test]
fn every_error_response_is_a_scim_error_and_every_body_route_takes_both_media_types() {
    let doc = load();
    let ops = operations(&doc);
    assert!(ops.len() > 20, "found {} operations", ops.len());
    for op in &ops {
        let label = format!("{} {}", op.method, op.path);
        let responses = op.spec["responses"].as_object().expect("responses");
        for (status, response) in responses {
            let code: u16 = status
                .parse()
                .unwrap_or_else(|_| panic!("{label}: status {status}"));
            let response = resolve(&doc, response);
            if code >= 400 {
                let schema = &response["content"]["application/scim+json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ScimError", "{label} {code}");
            }
        }
        let scim = op.path.starts_with(DOC_PREFIX);
        if scim {
            assert!(responses.contains_key("401"), "{label}: no 401");
            assert!(
                op.spec.get("security").is_none(),
                "{label}: overrides security"
            );
        }
        if let Some(body) = op.spec.get("requestBody") {
            let content = &resolve(&doc, body)["content"];
            for media in ["application/scim+json", "application/json"] {
                assert!(content.get(media).is_some(), "{label}: no {media} body");
            }
            for code in ["413", "415"] {
                assert!(responses.contains_key(code), "{label}: no {code}");
            }
        }
    }
}

//! Versions (RFC 7644 section 3.14): `meta.version` and `ETag` on every resource, `If-None-Match` on GET
//! (304) and `If-Match` on PUT, PATCH and DELETE (412 on another version, before any Dropbox write);
//! groups carry `meta.created` and `meta.lastModified`.

use crate::helpers::scim_calls::{GROUP_URN, assert_scim_error, patch_body};
use crate::helpers::test_app::{TOKEN, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// Sends `method` on `path` with one extra header; answers status, `ETag` and the JSON body (Null if empty).
async fn with_header(
    t: &TestApp,
    method: Method,
    path: &str,
    header: (&str, &str),
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let mut req = t
        .http
        .request(method, format!("{}{path}", t.base))
        .bearer_auth(TOKEN)
        .header(header.0, header.1);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("sent");
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let text = resp.text().await.expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON")
    };
    (status, etag, json)
}

#[tokio::test]
async fn users_carry_versions_and_honour_if_none_match_and_if_match() {
    let t = TestApp::spawn().await;
    let created = t
        .create_okta_user("etag.user@example.com", "E", "Tag")
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/Users/{id}");
    let (status, etag, got) = with_header(&t, Method::GET, &path, ("x-probe", "1"), None).await;
    assert_eq!(status, 200);
    let version = got["meta"]["version"]
        .as_str()
        .expect("meta.version")
        .to_owned();
    assert!(version.starts_with("W/\""), "{version}");
    assert_eq!(
        etag.as_deref(),
        Some(version.as_str()),
        "ETag is meta.version"
    );
    assert_eq!(
        created["meta"]["version"],
        json!(version),
        "POST shows the same version"
    );

    let (status, etag, body) =
        with_header(&t, Method::GET, &path, ("if-none-match", &version), None).await;
    assert_eq!(
        (status, body),
        (304, Value::Null),
        "unchanged: 304 without a body"
    );
    assert_eq!(etag.as_deref(), Some(version.as_str()));
    let (status, _, _) = with_header(
        &t,
        Method::GET,
        &path,
        ("if-none-match", "W/\"other\""),
        None,
    )
    .await;
    assert_eq!(status, 200);

    // A stale If-Match is refused before any Dropbox write.
    let writes = t.count("members/set_profile_v2");
    let rename = patch_body(json!([{"op": "replace", "path": "name.givenName", "value": "Ed"}]));
    let stale = "W/\"0000\"";
    let (status, _, body) = with_header(
        &t,
        Method::PATCH,
        &path,
        ("if-match", stale),
        Some(rename.clone()),
    )
    .await;
    assert_eq!(status, 412, "{body}");
    assert_scim_error(&body, "412", "stale If-Match on PATCH");
    let put =
        json!({"userName": "etag.user@example.com", "name": {"givenName": "P", "familyName": "Q"}});
    let (status, _, body) =
        with_header(&t, Method::PUT, &path, ("if-match", stale), Some(put)).await;
    assert_eq!(status, 412, "{body}");
    let (status, _, body) = with_header(&t, Method::DELETE, &path, ("if-match", stale), None).await;
    assert_eq!(status, 412, "{body}");
    assert_eq!(t.count("members/set_profile_v2"), writes, "no write on 412");

    // The current version lets the write through and answers the new one.
    let (status, new_etag, patched) = with_header(
        &t,
        Method::PATCH,
        &path,
        ("if-match", &version),
        Some(rename),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    let new_version = patched["meta"]["version"].as_str().expect("version");
    assert_ne!(new_version, version, "a change makes a new version");
    assert_eq!(new_etag.as_deref(), Some(new_version));
    let (_, _, got) = with_header(&t, Method::GET, &path, ("x-probe", "1"), None).await;
    assert_eq!(
        got["meta"]["version"],
        json!(new_version),
        "GET agrees with the PATCH answer"
    );

    let (status, _, body) = with_header(
        &t,
        Method::GET,
        &path,
        ("if-none-match", "not-quoted"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_scim_error(&body, "400", "malformed If-None-Match");
    let (status, _, _) = with_header(&t, Method::DELETE, &path, ("if-match", "*"), None).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn groups_carry_times_and_versions_and_honour_if_match() {
    let t = TestApp::spawn().await;
    let body = json!({"schemas": [GROUP_URN], "displayName": "Etag Group"});
    let (status, created) = t.create_group(body).await;
    assert_eq!(status, 201, "{created}");
    for key in ["created", "lastModified", "version"] {
        assert!(
            created["meta"][key].is_string(),
            "POST meta.{key}: {created}"
        );
    }
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("/Groups/{id}");
    let (_, etag, got) = with_header(&t, Method::GET, &path, ("x-probe", "1"), None).await;
    assert_eq!(got["meta"]["created"], created["meta"]["created"], "{got}");
    assert_eq!(got["meta"]["lastModified"], created["meta"]["lastModified"]);
    let version = got["meta"]["version"].as_str().expect("version").to_owned();
    assert_eq!(etag.as_deref(), Some(version.as_str()));
    let (status, _, _) =
        with_header(&t, Method::GET, &path, ("if-none-match", &version), None).await;
    assert_eq!(status, 304);

    let (_, listed) = t
        .list_groups("filter=displayName%20eq%20%22Etag%20Group%22")
        .await;
    assert_eq!(
        listed["Resources"][0]["meta"]["lastModified"], got["meta"]["lastModified"],
        "{listed}"
    );
    assert_eq!(listed["Resources"][0]["meta"]["version"], json!(version));

    let rename = patch_body(json!([{"op": "replace", "path": "displayName", "value": "Renamed"}]));
    let (status, _, body) = with_header(
        &t,
        Method::PATCH,
        &path,
        ("if-match", "W/\"0\""),
        Some(rename.clone()),
    )
    .await;
    assert_eq!(status, 412, "{body}");
    assert_scim_error(&body, "412", "stale If-Match on a group PATCH");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, new_etag, _) = with_header(
        &t,
        Method::PATCH,
        &path,
        ("if-match", &version),
        Some(rename),
    )
    .await;
    assert_eq!(status, 204);
    let (_, _, after) = with_header(&t, Method::GET, &path, ("x-probe", "1"), None).await;
    assert_eq!(after["displayName"], "Renamed");
    assert!(
        after["meta"]["lastModified"].as_str() > got["meta"]["lastModified"].as_str(),
        "{after}"
    );
    assert_eq!(after["meta"]["created"], got["meta"]["created"]);
    assert_eq!(
        new_etag,
        after["meta"]["version"].as_str().map(String::from)
    );
    let (status, _, _) = with_header(&t, Method::DELETE, &path, ("if-match", &version), None).await;
    assert_eq!(status, 412, "the old version no longer deletes");
}

#[tokio::test]
async fn service_provider_config_advertises_etags() {
    let t = TestApp::spawn().await;
    let (status, spc) = t.json(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert_eq!(spc["etag"]["supported"], true, "{spc}");
}

#[tokio::test]
async fn a_filter_on_meta_version_finds_the_user_of_that_version_only() {
    let t = TestApp::spawn().await;
    let created = t
        .create_okta_user("versioned.user@example.com", "Ver", "Sioned")
        .await;
    t.create_okta_user("other.user@example.com", "Oth", "Er")
        .await;
    let version = created["meta"]["version"].as_str().expect("version");
    let quoted = version.replace('"', "\\\"");
    let list = |filter: String| {
        let t = &t;
        async move {
            let q: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
            let (status, body) = t
                .json(Method::GET, &format!("/Users?filter={q}"), None)
                .await;
            assert_eq!(status, 200, "{body}");
            body["Resources"]
                .as_array()
                .map(|r| r.iter().map(|u| u["id"].clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        }
    };
    // Streamed listings (the version is not a mirrored column): the version covers the group names
    // (the emulator puts every member in "Everyone"), which a listing adds after filtering.
    let exact =
        format!(r#"userName eq "versioned.user@example.com" and meta.version eq "{quoted}""#);
    assert_eq!(list(exact).await, vec![created["id"].clone()]);
    let stale = r#"userName eq "versioned.user@example.com" and meta.version eq "W/\"0\"""#;
    assert!(list(stale.to_owned()).await.is_empty());
    assert_eq!(
        list(format!(r#"meta.version eq "{quoted}""#)).await,
        vec![created["id"].clone()]
    );
}

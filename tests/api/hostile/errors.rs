//! Every rejection, including the ones hyper answers before routing, has a SCIM error body.

use super::{TOKEN, assert_scim_error, assert_scim_response, parse_raw, raw, spawn};

#[tokio::test]
async fn an_undecodable_id_gets_a_scim_error() {
    let server = spawn(&[]).await;
    let resp = reqwest::Client::new()
        .get(format!("{}/Users/%ff%fe", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 400, "GET /Users/%ff%fe").await;
}

#[tokio::test]
async fn a_too_long_uri_gets_a_scim_error() {
    let server = spawn(&[]).await;
    let path = format!("/scim/v2/Users?filter={}", "a".repeat(70_000));
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n");
    let (status, content_type, body) = parse_raw(&raw(server.addr, request.as_bytes()).await);
    assert_eq!(status, 414);
    assert_scim_error(status, &content_type, &body, "414");
}

#[tokio::test]
async fn too_many_headers_get_a_scim_error() {
    let server = spawn(&[]).await;
    let mut request = String::from("GET /healthz HTTP/1.1\r\nhost: localhost\r\n");
    for i in 0..200 {
        request.push_str(&format!("x-h{i}: v\r\n"));
    }
    request.push_str("\r\n");
    let (status, content_type, body) = parse_raw(&raw(server.addr, request.as_bytes()).await);
    assert_eq!(status, 431);
    assert_scim_error(status, &content_type, &body, "431");
}

#[tokio::test]
async fn other_rejections_get_scim_errors() {
    let server = spawn(&[]).await;
    let http = reqwest::Client::new();
    let resp = http
        .delete(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 405, "DELETE /Users").await;
    let resp = http
        .post(format!("http://{}/healthz", server.addr))
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 405, "POST /healthz").await;
    let resp = http
        .get(format!("{}/NoSuchThing", server.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 404, "unknown route").await;
    let resp = http
        .post(format!("{}/Users", server.base))
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_scim_response(resp, 415, "text/plain body").await;
}

#[tokio::test]
async fn an_unparsable_request_gets_a_scim_error() {
    let server = spawn(&[]).await;
    let answer = raw(server.addr, b"GET /healthz HTTP/1.1\r\nbad header\r\n\r\n").await;
    let (status, content_type, body) = parse_raw(&answer);
    assert_eq!(status, 400);
    assert_scim_error(status, &content_type, &body, "400");
}

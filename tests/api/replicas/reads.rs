//! The read path across replicas: two real `serve` processes on one PostgreSQL schema. A write through
//! replica A is what replica B returns next, by id, by `userName eq` and in filtered listings (whose
//! per-process counts and page boundaries are keyed by the store's listing version).

use crate::helpers::bridge_process::BridgeProcess;
use crate::helpers::db::TestDb;
use crate::helpers::scim_calls::{USER_URN, patch_body, send_scim};
use dropbox_scim_bridge::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use reqwest::Method;
use serde_json::{Value, json};

const TOKEN: &str = "replica-reads-idp-token";

struct Replica {
    base: String,
    http: reqwest::Client,
    _process: BridgeProcess,
}

impl Replica {
    async fn start(emulator: &RunningEmulator, store_url: &str) -> Replica {
        let process = BridgeProcess::start(emulator, store_url, TOKEN, &[]).await;
        Replica {
            base: process.scim_base(),
            http: reqwest::Client::new(),
            _process: process,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let resp = send_scim(&self.http, &self.base, TOKEN, method, path, body).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// `(totalResults, the userNames of the page)`.
    async fn list(&self, filter: &str) -> (u64, Vec<String>) {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("filter", filter)
            .finish();
        let body = self.get(&format!("/Users?{query}&count=50")).await;
        let names = body["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .map(|u| u["userName"].as_str().unwrap_or_default().to_owned())
            .collect();
        (body["totalResults"].as_u64().expect("total"), names)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_replica_is_what_the_other_reads_next() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let emulator = Emulator::spawn(EmulatorConfig::default())
        .await
        .expect("emulator");
    emulator.emulator.seed_members(30);
    let a = Replica::start(&emulator, &db.url).await;
    let b = Replica::start(&emulator, &db.url).await;

    let (status, user) = a
        .send(
            Method::POST,
            "/Users",
            Some(json!({"schemas": [USER_URN], "userName": "kim@example.com",
                "name": {"givenName": "Kim", "familyName": "Lee"}, "title": "One", "active": true})),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().expect("id").to_owned();
    let eq = "/Users?filter=userName%20eq%20%22kim@example.com%22";

    // B reads (and memoises its counts and pages) before A writes.
    assert_eq!(b.get(&format!("/Users/{id}")).await["title"], "One");
    assert_eq!(b.get(eq).await["Resources"][0]["title"], "One");
    assert_eq!(
        b.list(r#"name.familyName eq "lee""#).await,
        (1, vec!["kim@example.com".into()])
    );
    assert_eq!(b.list(r#"title eq "One""#).await.0, 1);
    let all = b.list("userName pr").await.0;
    assert!(all >= 31, "30 seeded members, the admin and Kim: {all}");

    let ops = json!([{"op": "replace", "value": {"title": "Two", "name.familyName": "Park"}}]);
    let (status, body) = a
        .send(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch_body(ops)),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(b.get(&format!("/Users/{id}")).await["title"], "Two");
    let found = b.get(eq).await;
    assert_eq!(found["Resources"][0]["name"]["familyName"], "Park");
    assert_eq!(b.list(r#"name.familyName eq "lee""#).await, (0, vec![]));
    assert_eq!(
        b.list(r#"name.familyName sw "PA""#).await,
        (1, vec!["kim@example.com".into()])
    );
    assert_eq!(b.list(r#"title eq "Two""#).await.0, 1);

    let (status, _) = a.send(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = b.send(Method::GET, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(b.get(eq).await["totalResults"], 0);
    assert_eq!(b.list("userName pr").await.0, all - 1);
    db.finish().await;
}

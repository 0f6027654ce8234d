//! The status page in a real headless browser (Debian's `chromium`, driven over WebDriver by
//! `chromium-driver`): log in with the operator token, see the removal a SCIM DELETE recorded, and
//! save a phone-sized screenshot to `docs/status-page.png`. Skips with a reason when Chromium is
//! not installed, except in CI (`CI=true`), where that is a failure; `.ci/browser.sh` installs it.

use super::{OPERATOR, app_with_status, origin};
use crate::helpers::ports::free_port;
use crate::helpers::wait::eventually;
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::{Child, Command};

/// The first of `names` found on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Chromium and its WebDriver, or `None` after printing why the test is skipped (a panic in CI).
fn browser() -> Option<(PathBuf, PathBuf)> {
    let found = on_path(&["chromium", "chromium-browser"]).zip(on_path(&["chromedriver"]));
    if found.is_none() {
        let why = "chromium and chromedriver are not installed (run .ci/browser.sh)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
        eprintln!("skipping the status page browser test: {why}");
    }
    found
}

/// `chromedriver` on a free loopback port, answering `/status`; killed when dropped.
async fn start_driver(driver: &Path) -> (Child, String) {
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let mut exited = false;
        let up = eventually(Duration::from_secs(20), async || {
            exited = matches!(child.try_wait(), Ok(Some(_)));
            exited
                || reqwest::get(format!("{url}/status"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
        })
        .await;
        if up && !exited {
            return (child, url);
        }
    }
    panic!("chromedriver never answered");
}

#[tokio::test]
async fn a_browser_logs_in_and_sees_the_removal_a_scim_delete_recorded() {
    let Some((chromium, driver)) = browser() else {
        return;
    };
    let app = app_with_status().await;
    let id = app.active_member("leaver@example.com").await;
    app.list_users("count=10").await; // fills the member mirror, whose age the page shows
    let (_driver, webdriver) = start_driver(&driver).await;
    let caps = json!({"goog:chromeOptions": {
        "binary": chromium,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=430,1300", "--hide-scrollbars"],
    }});
    let caps = caps.as_object().cloned().unwrap_or_default();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&webdriver)
        .await
        .expect("a Chromium session");
    let page = format!("{}/status", origin(&app));

    // Not logged in: the form. A wrong token (an IdP one) is refused.
    browser.goto(&page).await.expect("page");
    let login = async |token: &str| {
        let field = browser
            .find(Locator::Css("#token"))
            .await
            .expect("token field");
        field.send_keys(token).await.expect("typed");
        let submit = browser
            .find(Locator::Css("button[type=submit]"))
            .await
            .expect("button");
        submit.click().await.expect("submitted");
    };
    login(crate::helpers::test_app::TOKEN).await;
    // The form posts and the browser loads the answer: wait for it rather than race it.
    let refused = browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("p.bad"))
        .await
        .expect("message");
    assert!(
        refused
            .text()
            .await
            .unwrap_or_default()
            .contains("not the operator token")
    );
    login(OPERATOR).await;
    let removals = browser
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#removals"))
        .await
        .expect("logged in");
    assert!(removals.text().await.unwrap_or_default().contains("none"));

    // A SCIM DELETE whose removal is blocked (no manager to take the files) shows after a reload.
    assert_eq!(app.delete_user(&id).await.0, 204);
    browser.goto(&page).await.expect("reload");
    let removals = browser
        .find(Locator::Css("#removals"))
        .await
        .expect("section");
    let text = removals.text().await.unwrap_or_default();
    assert!(text.contains(&id) && text.contains("blocked"), "{text}");
    assert!(
        text.contains("deprovision.transfer_dest"),
        "what blocks it: {text}"
    );
    let recent = browser
        .find(Locator::Css("#recent"))
        .await
        .expect("section");
    let recent = recent.text().await.unwrap_or_default();
    assert!(
        recent.contains("DELETE /scim/v2/Users/") && recent.contains("204"),
        "{recent}"
    );
    let dropbox = browser
        .find(Locator::Css("#dropbox"))
        .await
        .expect("section");
    assert!(
        dropbox
            .text()
            .await
            .unwrap_or_default()
            .contains("connected")
    );
    let cookies = browser.get_all_cookies().await.expect("cookies");
    let cookie = cookies
        .iter()
        .find(|c| c.name() == "scim_bridge_status")
        .expect("cookie");
    assert_eq!(cookie.http_only(), Some(true));

    let png = browser.screenshot().await.expect("screenshot");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a real PNG"
    );
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/status-page.png");
    std::fs::write(&file, &png).expect("screenshot saved");
    browser.close().await.expect("session closed");
}

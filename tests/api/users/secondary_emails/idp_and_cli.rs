//! Secondary e-mails as an IdP maps them (Entra's `emails[type eq "other"]` path), the operator's
//! `resend-verification` command, and a team that has them switched off.

use super::{ADD, RESEND, TestApp, create, in_dropbox, pair, shown, spawn_on};
use dropbox_scim_bridge::emulator::EmulatorConfig;
use serde_json::json;

#[tokio::test]
async fn resend_verification_sends_again_only_to_pending_addresses_with_one_call() {
    let app = spawn_on().await;
    let id = create(
        &app,
        "re@example.com",
        &["re.alt@example.com", "re@outside.org"],
    )
    .await;
    let config =
        dropbox_scim_bridge::config::Config::load_from(None, app.settings.clone()).expect("config");
    let client = dropbox_scim_bridge::dropbox::DropboxClient::from_config(&config).expect("client");
    let resend = dropbox_scim_bridge::cli::secondary_emails::resend;

    let report = resend(&client, &id, None).await.expect("resent");

    assert_eq!(report, "re@outside.org: verification mail sent\n");
    assert_eq!(app.count(RESEND), 1);
    let mails = app
        .dropbox
        .emulator
        .verification_mails_sent(&id, "re@outside.org");
    assert_eq!(mails, 2, "the add's mail and the resent one");
    app.dropbox
        .emulator
        .verify_secondary_email(&id, "re@outside.org")
        .expect("verified");
    let report = resend(&client, "re@example.com", None)
        .await
        .expect("nothing to do");
    assert!(report.contains("nothing was sent"), "{report}");
    assert_eq!(app.count(RESEND), 1, "nothing pending: no call");
}

#[tokio::test]
async fn entra_maps_other_mails_to_emails_of_type_other() {
    let emulator = EmulatorConfig {
        auto_accept_invites: true,
        ..EmulatorConfig::default()
    };
    let settings = [
        ("SCIM_BRIDGE_SECONDARY_EMAILS__ENABLED", "true"),
        ("SCIM_BRIDGE_SECONDARY_EMAILS__TYPES", "work,other"),
    ];
    let app = TestApp::spawn_full(emulator, &settings).await;
    let id = create(&app, "eve@example.com", &[]).await;

    // Entra's PATCH form: a capitalised op and a value path per attribute.
    let ops =
        json!([{"op": "Add", "path": "emails[type eq \"other\"].value", "value": "eve@other.org"}]);
    let (status, user) = app.patch_user(&id, ops).await;

    assert_eq!(status, 200, "{user}");
    assert_eq!(app.count(ADD), 1);
    assert_eq!(in_dropbox(&app, &id), vec![pair("eve@other.org", false)]);
    let other = ("eve@other.org".to_owned(), "other".to_owned());
    assert_eq!(shown(&user), vec![other]);
}

#[tokio::test]
async fn a_team_with_secondary_emails_off_is_a_400_naming_the_setting_and_the_rest_is_applied() {
    let app = spawn_on().await;
    let id = create(&app, "off.team@example.com", &[]).await;
    app.dropbox.emulator.set_secondary_emails_enabled(false);

    let ops = json!([
        {"op": "replace", "path": "name.givenName", "value": "Renamed"},
        {"op": "add", "path": "emails", "value": [{"value": "x@example.com", "type": "work"}]}
    ]);
    let (status, err) = app.patch_user(&id, ops).await;

    assert_eq!(status, 400, "{err}");
    assert_eq!(err["scimType"], "invalidValue", "{err}");
    let detail = err["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("[secondary_emails] enabled"), "{detail}");
    assert_eq!(app.count(ADD), 1);
    assert!(in_dropbox(&app, &id).is_empty());
    let member = app.dropbox.emulator.member(&id).expect("member");
    assert_eq!(
        member["name"]["given_name"], "Renamed",
        "the rest was applied"
    );
}

//! `DELETE /Users/{id}` with `policy = remove` and a file transfer: the exact `members/remove` body.

use crate::helpers::test_app::TestApp;
use serde_json::json;

#[tokio::test]
async fn remove_policy_transfers_files_to_the_fixed_member() {
    let app = TestApp::spawn_with(&[
        ("SCIM_BRIDGE_DEPROVISION__POLICY", "remove"),
        ("SCIM_BRIDGE_DEPROVISION__TRANSFER_TO", "member"),
        (
            "SCIM_BRIDGE_DEPROVISION__TRANSFER_DEST",
            "archive@example.com",
        ),
        (
            "SCIM_BRIDGE_DEPROVISION__TRANSFER_ADMIN",
            "admin@example.com",
        ),
    ])
    .await;
    let archive = app
        .create_okta_user("archive@example.com", "Arch", "Ive")
        .await;
    let archive_id = archive["id"].as_str().expect("id").to_owned();
    app.dropbox
        .emulator
        .accept_invite(&archive_id)
        .expect("accepted");
    let leaver = app
        .create_okta_user("leaver@example.com", "Lea", "Ver")
        .await;
    let id = leaver["id"].as_str().expect("id").to_owned();
    app.dropbox.emulator.accept_invite(&id).expect("accepted");

    let (status, _) = app.delete_user(&id).await;

    assert_eq!(status, 204);
    assert_eq!(
        app.dropbox.emulator.calls("members/remove"),
        vec![json!({
            "user": {".tag": "team_member_id", "team_member_id": id},
            "transfer_dest_id": {".tag": "email", "email": "archive@example.com"},
            "transfer_admin_id": {".tag": "email", "email": "admin@example.com"}
        })]
    );
    let member = app.dropbox.emulator.member(&id).expect("known");
    assert_eq!(member["status"][".tag"], json!("removed"));
    let (status, _) = app.get_user(&id).await;
    assert_eq!(status, 404);
}

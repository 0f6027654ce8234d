//! The secondary e-mail plan and read-back, without Dropbox.

use super::*;
use serde_json::json;

fn cfg(types: &[&str]) -> SecondaryEmailsConfig {
    SecondaryEmailsConfig {
        enabled: true,
        types: types.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn user(emails: serde_json::Value) -> ScimUser {
    ScimUser::from_json(json!({"userName": "ann@example.com", "emails": emails})).expect("user")
}

fn profile(verified: bool, secondary: &[(&str, bool)]) -> TeamMemberProfile {
    let list: Vec<_> = secondary
        .iter()
        .map(|(e, v)| json!({"email": e, "is_verified": v}))
        .collect();
    let doc = json!({
        "team_member_id": "dbmid:1", "email": "ann@example.com", "email_verified": verified,
        "secondary_emails": list, "status": {".tag": "active"},
        "name": {"given_name": "Ann", "surname": "E", "familiar_name": "Ann",
                 "display_name": "Ann E", "abbreviated_name": "AE"},
        "membership_type": {".tag": "full"}, "groups": [],
        "member_folder_id": "1", "root_folder_id": "2"
    });
    // The SDK's types read borrowed strings: from text, not from a `Value`.
    serde_json::from_str(&doc.to_string()).expect("profile")
}

#[test]
fn only_non_primary_addresses_of_a_configured_type_other_than_the_login() {
    let u = user(json!([
        {"value": "ann@example.com", "type": "work", "primary": true},
        {"value": "Ann@Example.com", "type": "work"},
        {"value": "a2@example.org", "type": "Work"},
        {"value": "A2@example.org", "type": "work"},
        {"value": "home@example.net", "type": "home"},
        {"value": "none@example.net"}
    ]));
    assert_eq!(wanted(&cfg(&["work"]), &u), vec!["a2@example.org"]);
    assert_eq!(
        wanted(&cfg(&["work", "home"]), &u),
        vec!["a2@example.org", "home@example.net"]
    );
}

#[test]
fn the_plan_adds_the_new_deletes_the_gone_and_is_empty_when_equal() {
    let p = profile(true, &[("old@x.org", true), ("keep@x.org", false)]);
    let plan = Plan::of(&p, &["KEEP@x.org".to_owned(), "new@x.org".to_owned()]).expect("plan");
    assert_eq!(plan.delete, vec!["old@x.org"]);
    assert_eq!(plan.add, vec!["new@x.org"]);
    let same = Plan::of(&p, &["old@x.org".to_owned(), "keep@x.org".to_owned()]).expect("plan");
    assert!(same.is_empty());
}

#[test]
fn more_than_twenty_is_refused_before_any_call() {
    let many: Vec<String> = (0..=MAX_SECONDARY_EMAILS)
        .map(|i| format!("a{i}@x.org"))
        .collect();
    let err = Plan::of(&profile(true, &[]), &many).expect_err("refused");
    assert_eq!(err.status, 400);
    assert!(err.detail.contains("at most 20"), "{}", err.detail);
}

#[test]
fn read_back_shows_what_dropbox_holds_verified_or_not() {
    let c = cfg(&["work", "other"]);
    let mut u = user(json!([
        {"value": "ann@example.com", "type": "work", "primary": true},
        {"value": "held@x.org", "type": "other"},
        {"value": "refused@x.org", "type": "work"},
        {"value": "home@x.org", "type": "home"}
    ]));
    let p = profile(true, &[("held@x.org", true), ("pending@y.org", false)]);
    show_secondary_emails(&c, &mut u, &p);
    let shown: Vec<(&str, Option<&str>)> = u
        .emails
        .iter()
        .map(|e| (e.value.as_str(), e.kind.as_deref()))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("ann@example.com", Some("work")),
            ("held@x.org", Some("other")),
            ("home@x.org", Some("home")),
            ("pending@y.org", Some("work")),
        ]
    );
}

#[test]
fn an_invitee_shows_the_stored_addresses_and_off_shows_nothing_new() {
    let body = json!([{"value": "later@x.org", "type": "work"}]);
    let mut invitee = user(body.clone());
    show_secondary_emails(&cfg(&["work"]), &mut invitee, &profile(false, &[]));
    assert_eq!(invitee.emails.len(), 1);
    let mut off = user(body);
    let disabled = SecondaryEmailsConfig::default();
    show_secondary_emails(&disabled, &mut off, &profile(true, &[("d@x.org", true)]));
    assert_eq!(off.emails.len(), 1);
    assert_eq!(off.emails[0].value, "later@x.org");
}

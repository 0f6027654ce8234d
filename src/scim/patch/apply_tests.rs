//! Unit tests of PATCH application: bounded work per operation and the one-primary rule.

use serde_json::{Value, json};

use super::apply;
use super::counters::FILTER_EVALS;
use crate::scim::ScimType;
use crate::scim::limits::{MAX_PATCH_OPERATIONS, MAX_VALUES_PER_ATTRIBUTE};
use crate::scim::patch::parse_patch;
use crate::scim::schema::user_schema;

fn run(doc: &mut Value, ops: Vec<Value>) -> Result<(), (u16, Option<ScimType>)> {
    let ops = parse_patch(&json!({ "Operations": ops })).map_err(|e| (e.status, e.scim_type))?;
    apply(&ops, doc, user_schema()).map_err(|e| (e.status, e.scim_type))
}

fn user_with_emails(n: usize) -> Value {
    let emails: Vec<Value> = (0..n)
        .map(|i| json!({"value": format!("u{i}@x.com"), "type": "work"}))
        .collect();
    json!({"userName": "a@x.com", "emails": emails})
}

/// Runs `ops` and returns (result, filter evaluations), printing the wall-clock time for the record.
fn measured(
    label: &str,
    doc: &mut Value,
    ops: Vec<Value>,
) -> (Result<(), (u16, Option<ScimType>)>, usize) {
    FILTER_EVALS.with(|c| c.set(0));
    let started = std::time::Instant::now();
    let result = run(doc, ops);
    let evals = FILTER_EVALS.with(|c| c.get());
    println!(
        "{label}: {:?}, {evals} filter evaluations",
        started.elapsed()
    );
    (result, evals)
}

#[test]
fn growing_an_attribute_one_filter_op_at_a_time_stops_at_the_limit() {
    // Each op adds a new email through a value filter that matches nothing: unbounded, this scanned
    // 0 + 1 + ... + 999 values (~500,000 evaluations) and grew `emails` to 1,000.
    let ops: Vec<Value> = (0..MAX_PATCH_OPERATIONS)
        .map(|i| json!({"op": "add", "path": format!("emails[value eq \"n{i}@x.com\"].type"), "value": "work"}))
        .collect();
    let mut doc = user_with_emails(1);
    let before = doc.clone();
    let (result, evals) = measured("1000 growing filter ops", &mut doc, ops);
    assert_eq!(result, Err((400, Some(ScimType::TooMany))));
    assert!(
        evals <= MAX_VALUES_PER_ATTRIBUTE * MAX_VALUES_PER_ATTRIBUTE,
        "{evals} evaluations"
    );
    assert_eq!(doc, before, "all-or-nothing");
}

#[test]
fn filter_ops_over_a_full_attribute_cost_one_pass_each() {
    let ops: Vec<Value> = (0..MAX_PATCH_OPERATIONS)
        .map(|i| {
            let target = i % MAX_VALUES_PER_ATTRIBUTE;
            json!({"op": "replace", "path": format!("emails[value eq \"u{target}@x.com\"].type"), "value": "home"})
        })
        .collect();
    let mut doc = user_with_emails(MAX_VALUES_PER_ATTRIBUTE);
    let (result, evals) = measured("1000 filter ops over 100 emails", &mut doc, ops);
    assert_eq!(result, Ok(()));
    assert_eq!(
        evals,
        MAX_PATCH_OPERATIONS * MAX_VALUES_PER_ATTRIBUTE,
        "linear: one pass per op"
    );
    assert!(
        doc["emails"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["type"] == "home")
    );
}

#[test]
fn one_operation_may_not_add_more_values_than_the_limit() {
    let many: Vec<Value> = (0..=MAX_VALUES_PER_ATTRIBUTE)
        .map(|i| json!({"value": format!("n{i}@x.com")}))
        .collect();
    let mut doc = user_with_emails(0);
    let add = json!({"op": "add", "path": "emails", "value": many});
    assert_eq!(
        run(&mut doc, vec![add]),
        Err((400, Some(ScimType::TooMany)))
    );
    let mut doc = user_with_emails(MAX_VALUES_PER_ATTRIBUTE);
    let one_more = json!({"op": "add", "path": "emails", "value": [{"value": "n@x.com"}]});
    assert_eq!(
        run(&mut doc, vec![one_more]),
        Err((400, Some(ScimType::TooMany)))
    );
}

#[test]
fn the_value_made_primary_wins_over_an_earlier_primary() {
    let mut doc = json!({"userName": "a@x.com", "emails": [
        {"value": "a@x.com", "primary": false}, {"value": "b@x.com", "primary": true}]});
    let op =
        json!({"op": "replace", "path": "emails[value eq \"a@x.com\"].primary", "value": true});
    assert_eq!(run(&mut doc, vec![op]), Ok(()));
    assert_eq!(
        doc["emails"],
        json!([{"value": "a@x.com", "primary": true}, {"value": "b@x.com", "primary": false}])
    );
}

#[test]
fn one_operation_carrying_two_primaries_is_refused() {
    let mut doc = user_with_emails(0);
    let op = json!({"op": "add", "path": "emails", "value": [
        {"value": "a@x.com", "primary": true}, {"value": "b@x.com", "primary": "True"}]});
    assert_eq!(
        run(&mut doc, vec![op]),
        Err((400, Some(ScimType::InvalidValue)))
    );
}

#[test]
fn a_stored_resource_with_two_primaries_comes_out_with_one() {
    let mut doc = json!({"userName": "a@x.com", "phoneNumbers": [
        {"value": "1", "primary": true}, {"value": "2", "primary": true}]});
    let op = json!({"op": "replace", "path": "title", "value": "CTO"});
    assert_eq!(run(&mut doc, vec![op]), Ok(()));
    assert_eq!(
        doc["phoneNumbers"],
        json!([{"value": "1", "primary": false}, {"value": "2", "primary": true}])
    );
}

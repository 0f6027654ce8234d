//! Filter parser: never panics; what it accepts prints canonically and parses back to the same AST;
//! evaluation against a User never panics.
#![no_main]

use dropbox_scim_bridge::scim::filter::{MAX_LEN, matches, parse};
use dropbox_scim_bridge::scim::schema::user_schema;
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = parse(text) else {
        return;
    };
    let printed = filter.to_string();
    // Escaping control characters can push a filter near the limit past it; the limit is on input.
    if printed.len() > MAX_LEN {
        return;
    }
    match parse(&printed) {
        Ok(again) => assert_eq!(again, filter, "{text:?} printed as {printed:?}"),
        Err(e) => panic!("{text:?} printed as {printed:?}, which does not parse: {}", e.detail),
    }
    let user = json!({"userName": "a@x.com", "active": true, "name": {"givenName": "A"},
        "emails": [{"value": "a@x.com", "type": "work", "primary": true}],
        "meta": {"created": "2024-01-01T00:00:00Z"}});
    let _ = matches(&filter, &user, user_schema());
});

//! POST/PUT bodies: User and Group parsing never panics, and what is accepted renders to JSON that is
//! accepted again with the same content.
#![no_main]

use dropbox_scim_bridge::scim::resource::{ScimGroup, ScimUser};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Ok(user) = ScimUser::from_json(body.clone()) {
        let again = ScimUser::from_json(user.to_json("https://h/scim/v2"));
        let again = again.unwrap_or_else(|e| panic!("a rendered user is refused: {}", e.detail));
        assert_eq!(again.user_name, user.user_name);
        assert_eq!(again.emails, user.emails);
        assert_eq!(again.enterprise, user.enterprise);
    }
    if let Ok(group) = ScimGroup::from_json(body) {
        let again = ScimGroup::from_json(group.to_json("https://h/scim/v2"));
        let again = again.unwrap_or_else(|e| panic!("a rendered group is refused: {}", e.detail));
        assert_eq!(again.display_name, group.display_name);
        assert_eq!(again.members.len(), group.members.len());
    }
});

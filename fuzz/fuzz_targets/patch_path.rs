//! PATCH paths: never panic; an accepted path prints and parses back to the same path.
#![no_main]

use dropbox_scim_bridge::scim::path::PatchPath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(path) = PatchPath::parse(text) else {
        return;
    };
    let printed = path.to_string();
    match PatchPath::parse(&printed) {
        Ok(again) => assert_eq!(again, path, "{text:?} printed as {printed:?}"),
        Err(e) => panic!("{text:?} printed as {printed:?}, which does not parse: {}", e.detail),
    }
});

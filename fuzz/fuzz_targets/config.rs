//! Config loader: any TOML file plus environment never panics. The input is the file's text, then
//! optionally a NUL byte and `KEY=VALUE` lines taken as the environment (`*_FILE` keys are skipped).
#![no_main]

use std::io::Write;

use dropbox_scim_bridge::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (file, env) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let vars: Vec<(String, String)> = String::from_utf8_lossy(env)
        .lines()
        .filter_map(|l| l.split_once('='))
        // `*_FILE` names a file to read; the fuzzer must not make it read /dev/zero.
        .filter(|(k, _)| !k.to_ascii_uppercase().ends_with("_FILE"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let path = std::env::temp_dir().join(format!("scim-bridge-fuzz-config-{}.toml", std::process::id()));
    let written = std::fs::File::create(&path).and_then(|mut f| f.write_all(file));
    if written.is_ok() {
        let _ = Config::load_with_origins(Some(&path), vars);
    }
});

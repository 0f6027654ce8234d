//! Log set-up: `RUST_LOG` filters (default `info`), pretty or JSON lines on standard error, colours only
//! on a terminal, and the Dropbox SDK's own log records dropped.

use crate::config::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;

/// The level used when `RUST_LOG` is unset or unreadable.
const DEFAULT_FILTER: &str = "info";

/// The SDK logs every Dropbox error answer itself (at ERROR, with its source file and line, and with
/// the raw body, which can hold e-mails). The bridge logs each call in its own redacted form
/// (`dropbox.call` spans), so the SDK's records are never passed through, whatever `RUST_LOG` says.
const SDK_SILENCED: &str = "dropbox_sdk=off";

/// The filter from `RUST_LOG` (or `info`), with the SDK silenced.
pub fn filter_from(rust_log: Option<&str>) -> EnvFilter {
    let base = rust_log
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    match SDK_SILENCED.parse::<Directive>() {
        Ok(directive) => base.add_directive(directive),
        Err(_) => base,
    }
}

/// Sets up logging once for the process; later calls do nothing.
pub fn init(format: LogFormat) {
    let filter = filter_from(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_stays_silent_even_when_everything_else_is_traced() {
        use tracing_subscriber::layer::SubscriberExt;
        for spec in [
            None,
            Some("trace"),
            Some("dropbox_sdk=debug"),
            Some("not a filter["),
        ] {
            let subscriber = tracing_subscriber::registry().with(filter_from(spec));
            tracing::subscriber::with_default(subscriber, || {
                let sdk =
                    tracing::enabled!(target: "dropbox_sdk::client_helpers", tracing::Level::ERROR);
                let ours =
                    tracing::enabled!(target: "dropbox_scim_bridge::http", tracing::Level::INFO);
                assert!(!sdk, "{spec:?}: the SDK's records pass");
                let narrowed = spec.is_some_and(|s| s.starts_with("dropbox_sdk"));
                assert!(ours || narrowed, "{spec:?}: our INFO lines are dropped");
            });
        }
    }
}

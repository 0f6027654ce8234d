//! The log lines the bridge writes during one test: a subscriber for the test's own thread, which in a
//! `#[tokio::test]` (a current-thread runtime) is also the thread of the in-process server.

use std::sync::{Arc, Mutex};
use tracing::subscriber::DefaultGuard;

/// Everything logged on this thread from `start` until dropped, as plain text.
pub struct CapturedLogs {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: DefaultGuard,
    _second: tracing::Dispatch,
}

/// One write into the shared buffer.
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    /// Captures every level down to DEBUG, without colours.
    pub fn start() -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .finish();
        // With a single registered dispatcher, tracing-core decides whether a log line is wanted by
        // asking the default of whichever thread reaches it first: another test's thread, with no
        // subscriber, would cache "never". A second live dispatcher makes it ask every registered one.
        let second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        Self {
            buffer,
            _guard: guard,
            _second: second,
        }
    }

    /// The text logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().expect("log buffer")).into_owned()
    }
}

//! Loopback ports for tests: one that was free a moment ago (for a child process to bind, or for a
//! client to find nothing listening).

/// A loopback port that nothing listens on once this returns.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

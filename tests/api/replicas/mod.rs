//! Several replicas at once: claimed removals survive a crash within a short lease, and writes to one
//! resource are ordered across processes on PostgreSQL (advisory-lock turns, two real binaries).

mod lease;
mod processes;
mod reads;
mod turns;

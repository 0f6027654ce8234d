//! What an operator sees: the log lines and `/metrics` of a running `serve` binary.

mod logs;
mod metrics;
mod process;
mod removal_counts;

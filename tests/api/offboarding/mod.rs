//! Deprovisioning: immediate and deferred removals, their workers, the operator commands, PostgreSQL
//! and a restart of the real binary.

mod blocked;
mod ops;
mod postgres;
mod removal;
mod restart;
mod workers;

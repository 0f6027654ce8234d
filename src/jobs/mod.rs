//! Background work: deferred removals, async job follow-up, mirror refresh.

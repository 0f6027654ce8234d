-- The Dropbox rate budget shared by the replicas of one team: a token bucket in thousandths of a
-- call, refilled from the time of the last take, and the pause every replica keeps after a 429.
-- Times are microseconds since the Unix epoch, bound from Rust. `last_grant` is what the last take
-- handed out, so that one UPDATE ... RETURNING both takes and reports.
CREATE TABLE rate_budget (
    budget_key TEXT PRIMARY KEY,
    tokens_milli BIGINT NOT NULL,
    refilled_us BIGINT NOT NULL,
    paused_until_us BIGINT NOT NULL DEFAULT 0,
    last_grant BIGINT NOT NULL DEFAULT 0
);

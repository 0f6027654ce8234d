//! How many removals are in each state, in one query (for the metrics' gauges).

use super::{RemovalState, Store, StoreError, on_pool};

/// Every removal state, in the order the gauges list them.
pub const REMOVAL_STATES: [RemovalState; 6] = [
    RemovalState::Pending,
    RemovalState::Running,
    RemovalState::Blocked,
    RemovalState::Failed,
    RemovalState::Done,
    RemovalState::Cancelled,
];

impl Store {
    /// The number of removals in each state, every state listed (zero included).
    pub async fn count_removals_by_state(&self) -> Result<Vec<(RemovalState, i64)>, StoreError> {
        let sql = "SELECT state, COUNT(*) FROM pending_removals GROUP BY state";
        let rows: Vec<(String, i64)> =
            on_pool!(self, pool => sqlx::query_as(sql).fetch_all(pool).await?);
        Ok(REMOVAL_STATES
            .into_iter()
            .map(|state| {
                let count = rows
                    .iter()
                    .filter(|(name, _)| name == state.as_str())
                    .map(|(_, n)| n)
                    .sum();
                (state, count)
            })
            .collect())
    }
}

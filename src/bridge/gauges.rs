//! What the metrics and the start-up line read through the bridge: the store's gauges and the team's name.

use super::Bridge;
use crate::store::StoreError;
use crate::telemetry::metrics::StoreGauges;

impl Bridge {
    /// Removals by state and the team mirror's age, read now (each `/metrics` scrape); also sets the
    /// rate budget's gauge (calls left) when the budget is on.
    pub async fn store_gauges(&self) -> Result<StoreGauges, StoreError> {
        let budget = self.dropbox().budget_status();
        if budget.per_minute > 0 {
            crate::telemetry::metrics::set_rate_budget_tokens(budget.tokens);
        }
        let removals = self
            .store()
            .count_removals_by_state()
            .await?
            .into_iter()
            .map(|(state, count)| (state.as_str(), count))
            .collect();
        let mirror_age = self
            .store()
            .mirror_refreshed_at()
            .await?
            .map(|at| (chrono::Utc::now() - at).to_std().unwrap_or_default());
        Ok(StoreGauges {
            removals,
            mirror_age,
        })
    }

    /// The Dropbox team's name (`team/get_info`), or why it is unknown, with no e-mail in it.
    pub async fn team_name(&self) -> Result<String, String> {
        self.dropbox()
            .team_get_info()
            .await
            .map(|info| info.name)
            .map_err(|e| crate::dropbox::redact_emails(&e.to_string()))
    }
}

//! Persistence over sqlx: SQLite by default, PostgreSQL for several replicas.

//! Typed configuration: a TOML file plus environment overrides, validated at start-up.

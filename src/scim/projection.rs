//! Projection

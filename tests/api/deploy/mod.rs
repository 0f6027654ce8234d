//! Deployment: the public URL behind a proxy (X-Forwarded-Prefix, a path in public_base_url), the
//! image's healthcheck, and the Kubernetes, compose and README files checked against the binary.

mod files;
mod forwarded_prefix;
mod healthcheck;
mod manifests;

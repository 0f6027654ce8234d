//! TLS everywhere a company needs it: outbound HTTPS to Dropbox (CA bundle, proxies) and PostgreSQL.

mod outbound;
mod postgres;

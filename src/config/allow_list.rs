//! `[auth.allow_list]`: which client addresses may call the SCIM API, and which proxies may say who the
//! client is (`X-Forwarded-For`).

use super::{ConfigError, list_or_commas};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Client networks allowed to call the SCIM API, and the proxies believed about a client's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowListConfig {
    /// Allowed client networks in CIDR form (`10.0.0.0/8`) or single addresses; empty allows every
    /// client. From the environment, a comma-separated list.
    #[serde(default, deserialize_with = "list_or_commas")]
    pub networks: Vec<String>,
    /// Proxies (CIDR or addresses) whose `X-Forwarded-For` names the client; from any other peer
    /// the header is ignored and the connection's own address is checked.
    #[serde(default, deserialize_with = "list_or_commas")]
    pub trusted_proxies: Vec<String>,
}

impl AllowListConfig {
    /// Every entry parses as a network or an address; errors name `auth.allow_list.*[i]`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, list) in [
            ("networks", &self.networks),
            ("trusted_proxies", &self.trusted_proxies),
        ] {
            for (i, entry) in list.iter().enumerate() {
                if parse_network(entry).is_none() {
                    return Err(ConfigError::invalid(
                        &format!("auth.allow_list.{name}[{i}]"),
                        format!(
                            "`{entry}` is not a network or an address, e.g. 10.0.0.0/8 or 2001:db8::/32"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `10.0.0.0/8`, or one address as a network of one (`10.1.2.3` is `10.1.2.3/32`).
pub fn parse_network(entry: &str) -> Option<IpNet> {
    let entry = entry.trim();
    entry
        .parse::<IpNet>()
        .ok()
        .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_single_addresses_parse() {
        assert_eq!(
            parse_network("10.0.0.0/8"),
            Some("10.0.0.0/8".parse().expect("net"))
        );
        assert_eq!(
            parse_network(" 10.1.2.3 "),
            Some("10.1.2.3/32".parse().expect("net"))
        );
        assert_eq!(parse_network("::1"), Some("::1/128".parse().expect("net")));
        assert_eq!(parse_network("10.0.0.0/33"), None);
        assert_eq!(parse_network("example.com"), None);
    }

    #[test]
    fn a_bad_entry_is_named() {
        let c = AllowListConfig {
            networks: vec!["10.0.0.0/8".into()],
            trusted_proxies: vec!["proxy".into()],
        };
        match c.validate() {
            Err(ConfigError::Invalid { key, .. }) => {
                assert_eq!(key, "auth.allow_list.trusted_proxies[0]")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

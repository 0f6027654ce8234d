//! The optional IP allow-list (`[auth.allow_list]`): which client addresses may call the SCIM API.
//!
//! The client is the connection's peer, unless the peer is one of `trusted_proxies`: then
//! `X-Forwarded-For` is read from the right (each proxy appends the address it saw), skipping the
//! trusted proxies, and the first other address is the client. As with `X-Forwarded-Host` (see
//! [`super::base_url`]), only what the operator's own proxies appended is believed; unlike it, the trust
//! is per proxy address, not a yes/no, because here a forged header would open the door.

use crate::config::AllowListConfig;
use crate::config::parse_network;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Allowed client networks, and the proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone)]
pub struct AllowList {
    networks: Vec<IpNet>,
    proxies: Vec<IpNet>,
}

impl AllowList {
    /// The allow-list configured, or `None` when `networks` is empty (every client allowed).
    pub fn from_config(config: &AllowListConfig) -> Option<Self> {
        let parse = |list: &[String]| -> Vec<IpNet> {
            list.iter().filter_map(|e| parse_network(e)).collect()
        };
        let networks = parse(&config.networks);
        (!networks.is_empty()).then(|| Self {
            networks,
            proxies: parse(&config.trusted_proxies),
        })
    }

    /// The client's address, from the peer and, when the peer is a trusted proxy, `X-Forwarded-For`.
    /// `None` when it cannot be told (no peer, or a forwarded entry that is not an address).
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer.map(|ip| ip.to_canonical())?;
        if !self.is_proxy(client) {
            return Some(client);
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().ok())
            .collect::<Option<_>>()?;
        for entry in forwarded.iter().flat_map(|v| v.split(',')).rev() {
            client = parse_forwarded(entry.trim())?;
            if !self.is_proxy(client) {
                break;
            }
        }
        Some(client)
    }

    /// Whether `ip` is in one of the allowed networks.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(&ip))
    }

    fn is_proxy(&self, ip: IpAddr) -> bool {
        self.proxies.iter().any(|n| n.contains(&ip))
    }
}

/// An `X-Forwarded-For` entry: an address, optionally with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn list(networks: &[&str], proxies: &[&str]) -> AllowList {
        let c = AllowListConfig {
            networks: networks.iter().map(|s| s.to_string()).collect(),
            trusted_proxies: proxies.iter().map(|s| s.to_string()).collect(),
        };
        AllowList::from_config(&c).expect("configured")
    }

    fn xff(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn empty_networks_mean_no_list() {
        assert!(AllowList::from_config(&AllowListConfig::default()).is_none());
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let l = list(&["10.0.0.0/8"], &["192.0.2.1"]);
        let h = xff(&["10.1.1.1"]);
        assert_eq!(l.client_ip(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        assert!(!l.allows(ip("203.0.113.9").expect("ip")));
        assert!(l.allows(ip("10.9.9.9").expect("ip")));
    }

    #[test]
    fn forwarded_for_is_read_from_the_right_past_trusted_proxies() {
        let l = list(&["10.0.0.0/8"], &["192.0.2.0/24"]);
        // The client forged "10.1.1.1"; the proxies appended what they saw.
        let h = xff(&["10.1.1.1, 203.0.113.9", "192.0.2.7"]);
        assert_eq!(l.client_ip(ip("192.0.2.1"), &h), ip("203.0.113.9"));
        let h = xff(&["10.2.2.2:5123"]);
        assert_eq!(l.client_ip(ip("192.0.2.1"), &h), ip("10.2.2.2"));
        // No header: the proxy itself is the client.
        assert_eq!(
            l.client_ip(ip("192.0.2.1"), &HeaderMap::new()),
            ip("192.0.2.1")
        );
        // A garbled entry cannot be told apart from a forgery: no client address.
        assert_eq!(l.client_ip(ip("192.0.2.1"), &xff(&["unknown"])), None);
        // IPv4-mapped IPv6 peers count as their IPv4 address.
        assert_eq!(
            l.client_ip(ip("::ffff:192.0.2.1"), &xff(&["10.3.3.3"])),
            ip("10.3.3.3")
        );
        assert_eq!(l.client_ip(None, &h), None);
    }
}

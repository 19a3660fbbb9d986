//! The one place a `ureq` agent is set up: no redirects followed, 4xx/5xx
//! answers handed back as answers (not errors), explicit timeouts, a bounded
//! pool, the proxy ([`proxy`]) and the trusted roots ([`tls`]). The client
//! and the credential fetchers differ only in the values.

use std::time::Duration;

pub(crate) mod proxy;
pub(crate) mod tls;

pub use self::proxy::ProxyConfig;
pub(crate) use self::proxy::{ProxyError, ProxyRoute, Proxying};
pub(crate) use self::tls::Roots;

use crate::error::Error;

/// Idle connections kept in all by default: room for a 64-thread batch on
/// two hosts.
pub(crate) const DEFAULT_MAX_IDLE: usize = 128;
/// Idle connections kept per host by default: one per thread of a
/// 64-thread batch, so none is closed between its calls.
pub(crate) const DEFAULT_MAX_IDLE_PER_HOST: usize = 64;

/// The settings of one agent.
#[derive(Debug, Clone)]
pub(crate) struct AgentSettings {
    /// Time to open a connection.
    pub(crate) connect_timeout: Duration,
    /// Time to send the request head and body, each.
    pub(crate) send_timeout: Duration,
    /// Time to receive the response head, and again its body.
    pub(crate) recv_timeout: Duration,
    /// The `User-Agent` header.
    pub(crate) user_agent: String,
    /// Idle connections kept in all, and per host.
    pub(crate) pool: (usize, usize),
    /// The proxy every request goes through unless the request says
    /// otherwise; `None`: direct. The environment is never read here.
    pub(crate) proxy: Option<ProxyRoute>,
    /// The certificates TLS connections trust.
    pub(crate) roots: Roots,
}

impl AgentSettings {
    /// The agent these settings describe.
    pub(crate) fn agent(&self) -> ureq::Agent {
        let builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_send_request(Some(self.send_timeout))
            .timeout_send_body(Some(self.send_timeout))
            .timeout_recv_response(Some(self.recv_timeout))
            .timeout_recv_body(Some(self.recv_timeout))
            .user_agent(self.user_agent.as_str())
            .max_idle_connections(self.pool.0)
            .max_idle_connections_per_host(self.pool.1)
            .proxy(self.proxy.as_ref().map(|r| r.proxy().clone()))
            .tls_config(self.roots.tls_config());
        ureq::Agent::new_with_config(builder.build())
    }
}

/// The error for a failed request to `target`, sent through `route` (or
/// directly): a failure to reach the proxy, or its refusal of the tunnel,
/// names the proxy (never its credentials) and says so; anything else is
/// classified as [`Error::from_ureq`] does, with the proxy added to the
/// target.
pub(crate) fn request_error(target: String, route: Option<&ProxyRoute>, e: ureq::Error) -> Error {
    let Some(route) = route else {
        return Error::from_ureq(target, e);
    };
    let target = format!("{target} through the proxy {}", route.name());
    match route.classify(e) {
        Ok(proxy_error) => Error::Transport {
            target,
            source: Box::new(proxy_error),
        },
        Err(other) => Error::from_ureq(target, other),
    }
}

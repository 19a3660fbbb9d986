//! The one place a `ureq` agent is set up: no redirects followed, 4xx/5xx
//! answers handed back as answers (not errors), explicit timeouts, a bounded
//! pool. The client and the credential fetchers differ only in the values.

use std::time::Duration;

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
    /// Honour the proxy variables of the environment (`false` for link-local
    /// services such as the ECS metadata endpoint, which no proxy reaches).
    pub(crate) proxy_from_env: bool,
}

impl AgentSettings {
    /// The agent these settings describe.
    pub(crate) fn agent(&self) -> ureq::Agent {
        let mut builder = ureq::Agent::config_builder()
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
            .max_idle_connections_per_host(self.pool.1);
        if !self.proxy_from_env {
            builder = builder.proxy(None);
        }
        ureq::Agent::new_with_config(builder.build())
    }
}

//! Watching a client's attempts: a hook told before every attempt (it may
//! wait there) and after it (with its error, if any), retries included. The
//! batch module hangs its one shared rate limiter here, so that every
//! request of every worker thread, each retry too, is paced by it and every
//! throttled answer slows them all.

use std::sync::Arc;

use crate::error::Error;

use super::Client;

/// Told of every attempt made through a [`Client`] handle that carries it.
pub(crate) trait AttemptObserver: Send + Sync {
    /// Called before each attempt is signed; may block to pace requests.
    fn before_attempt(&self);

    /// Called after each attempt: `None` when it succeeded, else its error
    /// (before any retry).
    fn after_attempt(&self, error: Option<&Error>);
}

impl Client {
    /// This client with `observer` told of every attempt of the calls made
    /// through the returned handle; it shares everything else with `self`.
    pub(crate) fn with_observer(&self, observer: Arc<dyn AttemptObserver>) -> Client {
        let mut client = self.clone();
        client.observer = Some(observer);
        client
    }

    pub(super) fn before_attempt(&self) {
        if let Some(observer) = &self.observer {
            observer.before_attempt();
        }
    }

    pub(super) fn after_attempt(&self, error: Option<&Error>) {
        if let Some(observer) = &self.observer {
            observer.after_attempt(error);
        }
    }
}

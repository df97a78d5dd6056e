//! The scaffolding the four simulators share: a server on a local port that stops when its
//! last handle goes away, one state behind a lock with a change signal, a FIFO of injected
//! faults, and `wait_until`, which re-checks a condition on every change instead of sleeping.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// One simulator's state, the signal woken on every change of it, and its stop switch.
pub struct Hub<S> {
    state: Mutex<S>,
    changed: Notify,
    stopping: AtomicBool,
    stop_tx: watch::Sender<bool>,
}

impl<S> Hub<S> {
    pub fn new(state: S) -> Self {
        Self {
            state: Mutex::new(state),
            changed: Notify::new(),
            stopping: AtomicBool::new(false),
            stop_tx: watch::Sender::new(false),
        }
    }

    /// Locks the state; a panic in another holder must not cascade into every test.
    pub fn state(&self) -> MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiter; call after each change a test might wait for.
    pub fn touch(&self) {
        self.changed.notify_waiters();
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Stops the server and tells background tasks to finish.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stop_tx.send_replace(true);
        self.touch();
    }

    /// Resolves once [`Hub::stop`] was called.
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.stop_tx.subscribe();
        async move {
            // An error means the sender is gone, which is a stop as well.
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    /// Sleeps for `duration`, or less if the simulator stops meanwhile.
    pub async fn sleep(&self, duration: Duration) {
        tokio::select! {
            () = tokio::time::sleep(duration) => {}
            () = self.stopped() => {}
        }
    }

    /// Re-evaluates `probe` after every change until it returns `Some`; `None` after
    /// `timeout`. Replaces sleeps in tests.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        probe: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        self.wait_until_rechecking(timeout, None, probe).await
    }

    /// [`Hub::wait_until`] that also looks again every `recheck` without a change, for
    /// conditions that time alone makes true (an exchange expiring).
    pub async fn wait_until_rechecking<T>(
        &self,
        timeout: Duration,
        recheck: Option<Duration>,
        mut probe: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        loop {
            // Registered before probing, so a change between the probe and the wait is seen.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(value) = probe() {
                return Some(value);
            }
            if Instant::now() >= deadline {
                return None;
            }
            let wake = recheck.map_or(deadline, |every| deadline.min(Instant::now() + every));
            // Ignoring the elapsed error: the next round reports the timeout.
            let _ = tokio::time::timeout_at(wake, notified).await;
        }
    }
}

/// Something with a stop switch, so one guard type serves every simulator.
pub trait Stop: Send + Sync {
    fn stop(&self);
}

/// Stops the simulator when the last clone of its handle (which holds this in an `Arc`) goes.
pub struct StopOnDrop(Arc<dyn Stop>);

impl StopOnDrop {
    pub fn new(target: Arc<dyn Stop>) -> Arc<Self> {
        Arc::new(Self(target))
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

impl std::fmt::Debug for StopOnDrop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StopOnDrop")
    }
}

/// Binds `bind` (`127.0.0.1:0` picks a free port) and serves `app` until `stopped` resolves.
/// Returns the address it listens on. Must be called inside a tokio runtime.
pub async fn serve(
    name: &'static str,
    bind: SocketAddr,
    app: axum::Router,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding the {name} simulator"))?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::warn!(%err, simulator = name, "simulator server failed");
        }
    });
    Ok(addr)
}

/// Injected faults, first in first out: each is taken once by the first request it matches.
#[derive(Debug, Clone)]
pub struct Faults<K, F> {
    queue: VecDeque<(K, F)>,
}

impl<K, F> Default for Faults<K, F> {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
        }
    }
}

impl<K, F> Faults<K, F> {
    /// Queues `fault` for the requests `key` stands for.
    pub fn push(&mut self, key: K, fault: F) {
        self.queue.push_back((key, fault));
    }

    /// Takes the oldest fault whose key `matches` the request.
    pub fn take(&mut self, mut matches: impl FnMut(&K) -> bool) -> Option<F> {
        let i = self.queue.iter().position(|(k, _)| matches(k))?;
        self.queue.remove(i).map(|(_, f)| f)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_taken_once_oldest_matching_first() {
        let mut faults = Faults::default();
        faults.push("a", 1);
        faults.push("*", 2);
        faults.push("a", 3);
        assert_eq!(faults.take(|k| *k == "b" || *k == "*"), Some(2));
        assert_eq!(faults.take(|k| *k == "a"), Some(1));
        assert_eq!(faults.take(|k| *k == "a"), Some(3));
        assert_eq!(faults.take(|_| true), None);
        assert!(faults.is_empty());
    }

    #[tokio::test]
    async fn wait_until_wakes_on_touch_and_gives_up_at_the_deadline() {
        let hub = Arc::new(Hub::new(0u32));
        let writer = hub.clone();
        tokio::spawn(async move {
            *writer.state() = 7;
            writer.touch();
        });
        let seen = hub
            .wait_until(Duration::from_secs(5), || {
                let v = *hub.state();
                (v == 7).then_some(v)
            })
            .await;
        assert_eq!(seen, Some(7));
        let never = hub
            .wait_until(Duration::from_millis(20), || None::<()>)
            .await;
        assert_eq!(never, None);
    }

    struct Flag(AtomicBool);
    impl Stop for Flag {
        fn stop(&self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_last_guard_stops() {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let guard = StopOnDrop::new(flag.clone());
        let clone = guard.clone();
        drop(guard);
        assert!(!flag.0.load(Ordering::SeqCst));
        drop(clone);
        assert!(flag.0.load(Ordering::SeqCst));
    }
}

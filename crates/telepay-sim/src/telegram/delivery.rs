//! Getting updates to the bot: `getUpdates` long polling and webhook POSTs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::DeliveryRecord;
use super::Shared;
use super::methods::remember_allowed;
use super::params::{MethodError, MethodResult, Params};
use super::state::{QueuedUpdate, State, Webhook};

/// Applies `offset`: positive forgets everything below it, negative keeps only
/// the last `-offset` updates.
fn apply_offset(st: &mut State, offset: i64) {
    if offset > 0 {
        st.updates.retain(|u| u.id >= offset);
    } else if offset < 0 {
        let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
        while st.updates.len() > keep {
            st.updates.pop_front();
        }
    }
}

/// `getUpdates`: answers at once when updates are queued, otherwise holds the
/// request until one arrives or `timeout` (capped) passes. A newer poll ends an
/// older one with 409, like Telegram does when two bot instances poll.
pub(crate) async fn get_updates(shared: &Arc<Shared>, p: &Params) -> MethodResult {
    let (generation, deadline, limit) = {
        let mut st = shared.state();
        if st.webhook.is_some() {
            return Err(MethodError::new(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        remember_allowed(&mut st, p)?;
        apply_offset(&mut st, p.i64_opt("offset")?.unwrap_or(0));
        let limit =
            usize::try_from(p.i64_opt("limit")?.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
        let secs = u64::try_from(p.i64_opt("timeout")?.unwrap_or(0).max(0)).unwrap_or(0);
        let wait = Duration::from_secs(secs).min(shared.config.long_poll_cap);
        st.poll_generation += 1;
        (st.poll_generation, Instant::now() + wait, limit)
    };
    // Ends an older poll, and wakes tests waiting for this one to start.
    shared.touch();
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = shared.state();
            if st.poll_generation != generation {
                return Err(MethodError::new(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            st.drop_unwanted();
            let batch: Vec<Value> = st
                .updates
                .iter()
                .take(limit)
                .map(|u| u.body.clone())
                .collect();
            if !batch.is_empty() || Instant::now() >= deadline || shared.is_stopping() {
                return Ok(Value::Array(batch));
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Delivers queued updates to the webhook one at a time, in order, while one is set.
pub(crate) async fn webhook_worker(shared: Arc<Shared>) {
    loop {
        let notified = shared.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if shared.is_stopping() {
            return;
        }
        let job = {
            let mut st = shared.state();
            match st.webhook.clone() {
                Some(hook) => {
                    st.drop_unwanted();
                    st.updates.front().cloned().map(|u| (hook, u))
                }
                None => None,
            }
        };
        match job {
            Some((hook, update)) => deliver(&shared, &hook, &update).await,
            None => notified.await,
        }
    }
}

async fn deliver(shared: &Arc<Shared>, hook: &Webhook, update: &QueuedUpdate) {
    let tries = shared.config.webhook_tries.max(1);
    for attempt in 1..=tries {
        let mut request = shared.http.post(&hook.url).json(&update.body);
        if let Some(secret) = &hook.secret_token {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let (status, error) = match request.send().await {
            Ok(response) => (Some(response.status()), None),
            Err(err) => (None, Some(err.to_string())),
        };
        let delivered = status.is_some_and(|s| s.is_success());
        {
            let mut st = shared.state();
            let record = DeliveryRecord {
                update_id: update.id,
                attempt,
                url: hook.url.clone(),
                status: status.map(|s| s.as_u16()),
                error: error.clone(),
                delivered,
            };
            st.deliveries.push(record);
            if !delivered {
                let message = match (status, error) {
                    (Some(s), _) => format!("Wrong response from the webhook: {s}"),
                    (None, Some(e)) => format!("Connection failed: {e}"),
                    (None, None) => "Connection failed".to_owned(),
                };
                let now = st.now();
                st.webhook_last_error = Some((now, message));
            }
        }
        shared.hub.touch();
        if delivered || shared.is_stopping() {
            break;
        }
        if attempt < tries {
            tokio::time::sleep(shared.config.webhook_retry_interval).await;
        }
    }
    // Telegram would keep retrying for hours; the simulator gives up after the
    // configured tries so a failing receiver cannot wedge a test.
    shared.state().updates.retain(|u| u.id != update.id);
    shared.touch();
}

//! IPN delivery: one task per payment with queued notifications sends them in order, each
//! POSTed with `x-nowpayments-sig` and retried on a non-2xx answer or a connection error.

use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;

use super::state::{IpnJob, State};
use super::{IpnDelivery, Shared};

/// Queues `job` and starts the payment's delivery task if none runs. Called with the state
/// locked, so a job can never slip in between a task finding its queue empty and stopping.
pub(crate) fn enqueue(shared: &Arc<Shared>, st: &mut State, job: IpnJob) {
    let payment_id = job.payment_id;
    st.last_ipn.insert(payment_id, job.clone());
    st.outbox.entry(payment_id).or_default().push_back(job);
    if st.busy.insert(payment_id) {
        shared
            .runtime
            .spawn(payment_worker(shared.clone(), payment_id));
    }
}

/// Sends the payment's queued IPNs one after another. A later status waits until the earlier
/// one was delivered or gave up, so a receiver sees one payment's statuses in order.
async fn payment_worker(shared: Arc<Shared>, payment_id: u64) {
    loop {
        let job = {
            let mut st = shared.state();
            let next = if shared.is_stopping() {
                None
            } else {
                st.outbox.get_mut(&payment_id).and_then(|q| q.pop_front())
            };
            if next.is_none() {
                st.outbox.remove(&payment_id);
                st.busy.remove(&payment_id);
            }
            next
        };
        let Some(job) = job else {
            shared.touch();
            return;
        };
        deliver(&shared, &job).await;
    }
}

async fn deliver(shared: &Arc<Shared>, job: &IpnJob) {
    // NOWPayments' "3 retries" are on top of the first notification.
    let tries = shared.config.ipn_retries.saturating_add(1);
    for attempt in 1..=tries {
        let sent = shared
            .http
            .post(&job.url)
            .header(CONTENT_TYPE, "application/json")
            .header("x-nowpayments-sig", &job.signature)
            .body(job.text.clone())
            .send()
            .await;
        let (http_status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(err) => (None, Some(err.to_string())),
        };
        let delivered = http_status.is_some_and(|s| (200..300).contains(&s));
        {
            let mut st = shared.state();
            let seq = u64::try_from(st.deliveries.len())
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            st.deliveries.push(IpnDelivery {
                seq,
                payment_id: job.payment_id,
                status: job.status.clone(),
                attempt,
                url: job.url.clone(),
                http_status,
                error,
                delivered,
                body: job.text.clone(),
                signature: job.signature.clone(),
            });
        }
        shared.touch();
        if delivered || shared.is_stopping() {
            return;
        }
        if attempt < tries {
            tokio::time::sleep(shared.config.ipn_retry_interval).await;
        }
    }
    tracing::debug!(
        payment_id = job.payment_id,
        status = %job.status,
        "nowpayments sim: IPN given up after all retries"
    );
}

//! What a user does with a Telegram Stars invoice: pays it. Telegram first asks the bot with a
//! `pre_checkout_query` (it must answer within 10 s), and only on `ok` charges the user and
//! sends the bot a message with `successful_payment`, keyed by `telegram_payment_charge_id`.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::objects;
use super::{SimError, TelegramSim};

/// The invoice fields the simulator keeps (what the bot sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvoiceTerms {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) payload: String,
    pub(crate) total_amount: i64,
}

/// The bot's answer to a pre-checkout query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PreCheckoutAnswer {
    Ok,
    Error(String),
}

/// A pre-checkout query waiting for (or holding) the bot's answer.
#[derive(Debug, Clone)]
pub(crate) struct PendingPreCheckout {
    pub(crate) deadline: Instant,
    pub(crate) answer: Option<PreCheckoutAnswer>,
}

/// A Stars charge Telegram made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarCharge {
    pub charge_id: String,
    pub user_id: i64,
    pub total_amount: i64,
    pub invoice_payload: String,
    /// The user's message carrying `successful_payment`.
    pub message_id: i32,
    pub refunded: bool,
}

/// How paying an invoice ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    /// The bot said ok: the user was charged and the bot got `successful_payment`.
    Paid {
        charge_id: String,
        message_id: i32,
        update_id: i64,
    },
    /// The bot answered `ok: false` with this `error_message` (shown to the user).
    Refused { error_message: String },
    /// The bot did not answer within the pre-checkout limit: nothing was charged.
    NoAnswer,
}

impl TelegramSim {
    /// The user pays the Stars invoice the bot sent as `message_id` in their private chat.
    pub async fn pay_invoice(&self, user_id: i64, message_id: i32) -> Result<PayOutcome, SimError> {
        let terms = self.read_invoice(user_id, message_id)?;
        self.pay_terms(user_id, terms).await
    }

    /// The user pays an invoice link made with `createInvoiceLink`.
    pub async fn pay_invoice_link(&self, user_id: i64, link: &str) -> Result<PayOutcome, SimError> {
        let terms = self
            .shared
            .state()
            .invoice_links
            .get(link)
            .cloned()
            .ok_or_else(|| SimError::LinkNotFound(link.to_owned()))?;
        self.pay_terms(user_id, terms).await
    }

    fn read_invoice(&self, user_id: i64, message_id: i32) -> Result<InvoiceTerms, SimError> {
        let st = self.shared.state();
        if !st.users.contains_key(&user_id) {
            return Err(SimError::UnknownUser(user_id));
        }
        let message = st
            .message(user_id, message_id)
            .filter(|m| !m.deleted)
            .ok_or(SimError::UnknownMessage {
                chat_id: user_id,
                message_id,
            })?;
        if message.invoice.is_none() {
            return Err(SimError::NotAnInvoice {
                chat_id: user_id,
                message_id,
            });
        }
        st.invoices
            .get(&(user_id, message_id))
            .cloned()
            .ok_or(SimError::NotAnInvoice {
                chat_id: user_id,
                message_id,
            })
    }

    async fn pay_terms(&self, user_id: i64, terms: InvoiceTerms) -> Result<PayOutcome, SimError> {
        let limit = self.shared.config.pre_checkout_timeout;
        let query_id = self.mutate(|st| {
            let query_id = format!("{}", 4_000_000_000_000u64 + st.next_counter());
            st.pre_checkouts.insert(
                query_id.clone(),
                PendingPreCheckout {
                    deadline: Instant::now() + limit,
                    answer: None,
                },
            );
            let payload = json!({
                "id": query_id,
                "from": objects::user_by_id(st, user_id),
                "currency": "XTR",
                "total_amount": terms.total_amount,
                "invoice_payload": terms.payload,
            });
            st.push_update("pre_checkout_query", payload);
            query_id
        });
        let answer = self
            .wait_until(limit, |sim| {
                sim.shared
                    .state()
                    .pre_checkouts
                    .get(&query_id)
                    .and_then(|q| q.answer.clone())
            })
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(SimError::Timeout(_)) => return Ok(PayOutcome::NoAnswer),
            Err(e) => return Err(e),
        };
        if let PreCheckoutAnswer::Error(error_message) = answer {
            return Ok(PayOutcome::Refused { error_message });
        }
        Ok(self.mutate(|st| {
            let n = st.next_counter();
            let charge_id = format!("stxsim{n:012}{user_id}");
            let mut message = st.blank_message(user_id);
            message.from_user = Some(user_id);
            message.successful_payment = Some(json!({
                "currency": "XTR",
                "total_amount": terms.total_amount,
                "invoice_payload": terms.payload,
                "telegram_payment_charge_id": charge_id,
                "provider_payment_charge_id": "",
            }));
            let message_id = st.add_message(message);
            st.charges.insert(
                charge_id.clone(),
                StarCharge {
                    charge_id: charge_id.clone(),
                    user_id,
                    total_amount: terms.total_amount,
                    invoice_payload: terms.payload.clone(),
                    message_id,
                    refunded: false,
                },
            );
            let update_id = push_message(st, user_id, message_id);
            PayOutcome::Paid {
                charge_id,
                message_id,
                update_id,
            }
        }))
    }

    /// Sends the `successful_payment` message of `charge_id` to the bot once more (a replayed
    /// or re-delivered update); returns the new update id.
    pub fn replay_successful_payment(&self, charge_id: &str) -> Result<i64, SimError> {
        self.mutate(|st| {
            let charge = st
                .charges
                .get(charge_id)
                .cloned()
                .ok_or_else(|| SimError::InvalidUpdate(format!("no charge {charge_id}")))?;
            Ok(push_message(st, charge.user_id, charge.message_id))
        })
    }

    /// A Stars charge by its `telegram_payment_charge_id`.
    pub fn star_charge(&self, charge_id: &str) -> Option<StarCharge> {
        self.shared.state().charges.get(charge_id).cloned()
    }

    /// Every Stars charge so far, oldest first by charge id.
    pub fn star_charges(&self) -> Vec<StarCharge> {
        self.shared.state().charges.values().cloned().collect()
    }
}

fn push_message(st: &mut super::state::State, chat_id: i64, message_id: i32) -> i64 {
    let payload = st
        .message(chat_id, message_id)
        .map_or(Value::Null, |m| objects::message(st, m));
    st.push_update("message", payload)
}

# TelePay bot texts, English (the fallback). Every key here must exist in every locale,
# with the same placeholders. Messages are sent with HTML parse mode.

start-welcome =
    👋 Hi, { $name }!

    <b>TelePay</b> sells access to private Telegram channels for crypto.
    Subscribers open a channel's link, pick a plan and pay in any coin; owners get paid out automatically.

    Choose what to do:
menu-language = 🌐 Language
menu-help = ❓ Help

help-text =
    <b>How TelePay works</b>

    • <b>Subscribers</b>: open the link a channel owner shared, pick a plan, pay the invoice in the coin you like, and the bot sends you your personal invite.
    • <b>Channel owners</b>: register a private channel, set plans and a payout wallet, and share the link. Payments are paid out to your wallet, minus a { $fee }% platform fee.

    Commands:
    /start — main menu
    /language — change the language
    /help — this help

language-choose = 🌐 Choose your language:
language-set = ✅ Language set to { $language }.

unknown-command = I did not understand that. Send /help to see what I can do.
error-generic = ⚠️ Something went wrong on our side. Please try again in a minute.
callback-expired = This button is no longer valid.

cmd-start = Main menu
cmd-help = How TelePay works
cmd-language = Change the language

# Subscriber checkout
link-invalid = This link is not valid. Ask the channel owner for a fresh one.
channel-paused = Sales for <b>{ $channel }</b> are paused right now. Please try again later.
channel-card =
    <b>{ $channel }</b>
    { $description }

    Choose a plan:
tier-button = { $medal } { $price } · { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
tier-gone = This plan is no longer available. Open the channel link again to see the current plans.
invoice-created =
    🧾 <b>{ $channel }</b> — { $price } for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.

    Pay with any coin on the payment page. I will update this message as the payment arrives.
invoice-pay-button = 💳 Pay { $price }
invoice-failed = ⚠️ The payment provider is not answering. Nothing was charged; please try again in a minute.

# Access
access-granted-request =
    ✅ Payment received! Your access to <b>{ $channel }</b> is active until { $expires }.

    Tap the button and send the join request; I approve it right away.
access-granted-link =
    ✅ Payment received! Your access to <b>{ $channel }</b> is active until { $expires }.

    Tap the button to join. The link is personal and works once.
access-join-button = 🚪 Join the channel
owner-rights-lost = ⚠️ I can no longer invite or remove members in <b>{ $channel }</b>, so its sales are paused. Make me an administrator with the rights "Invite users" and "Ban users" again to resume.

# Payment progress (one message, edited in place)
status-waiting = ⏳ Waiting for your payment.
status-confirming = 🔎 Payment seen on the blockchain, waiting for confirmations.
status-confirmed = ✅ Payment confirmed, finishing up…
status-finished = 🎉 Paid in full. Your access is on its way.
status-partially_paid = ⚠️ The payment was less than the price. I will send you an invoice for the difference.
status-failed = ❌ The payment failed. Nothing was granted; you can start again from the channel link.
status-expired = ⌛ The payment expired before funds arrived. Open the channel link to start again.
status-refunded = ↩️ The payment was refunded.
pay-page-title = Payment for { $channel }
pay-page-back = Back to the bot

# Renewal and expiry
subscription-reminder = ⏰ Your access to <b>{ $channel }</b> ends on { $expires }. Renew now to keep it; days you pay early are added on top.
subscription-expired = Your access to <b>{ $channel }</b> has ended. You can come back any time:
renew-button = 🔄 Renew

# Subscriber commands
subscriptions-none = You have no active subscriptions.
subscriptions-title = <b>Your subscriptions</b>
subscriptions-line = • <b>{ $channel }</b> — until { $expires }
subscriptions-renew = 🔄 Renew { $channel }
access-reissued = 🔑 A new personal link for <b>{ $channel }</b>. Your previous link no longer works.
status-none = You have no payments yet.
status-title = <b>Your recent payments</b>
status-line = • <b>{ $channel }</b>, { $price }: { $state }
cmd-subscriptions = My subscriptions
cmd-access = Get a new invite link
cmd-status = Payment status

# Donations
donation-ask = 💝 How much would you like to give to <b>{ $channel }</b>? Send an amount in US dollars, from { $min } to { $max } (for example 5 or 12.50). /cancel to stop.
donation-invalid = Please send an amount from { $min } to { $max } with at most two decimals, for example 5 or 12.50.
donation-created = 💝 Donation to <b>{ $channel }</b>: { $price }. Pay with any coin on the payment page. Thank you!
cancelled = Cancelled.
topup-offer = ⚠️ Your payment was { $missing } short of the price. Pay the difference to get access; both payments count together.
owner-donation = 💝 New donation to <b>{ $channel }</b>: { $price }.

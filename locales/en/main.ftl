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
flood-slow-down = ⏳ You are sending messages faster than I can answer, so I skipped some of them. Wait a few seconds, then send again.

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
donation-invalid = Please send an amount from { $min } to { $max }.
donation-created = 💝 Donation to <b>{ $channel }</b>: { $price }. Pay with any coin on the payment page. Thank you!
cancelled = Cancelled.
topup-offer = ⚠️ Your payment was { $missing } short of the price. Pay the difference to get access; both payments count together.
owner-donation = 💝 New donation to <b>{ $channel }</b>: { $price }.

# Channel owners: menu and commands
menu-add-channel = ➕ Add a channel
menu-my-channels = 📋 My channels
menu-balance = 💰 Balance and payouts
cmd-addchannel = Register a channel
cmd-channels = My channels
cmd-balance = Balance and payouts

# Registration
own-add-intro =
    ➕ <b>Add a channel</b>

    Tap the button below and pick your private channel: Telegram will make me an administrator with the rights I need (invite users, ban users, post messages).

    Or add @{ $bot } to the channel as an administrator yourself and forward me any post from it.
    /cancel to stop.
own-add-button = 📢 Pick my channel
own-add-waiting = Pick the channel with the button below, or forward me a post from it. /cancel to stop.
own-verify-not-channel = That chat is not a channel. Pick a channel.
own-verify-bot-not-admin = I am not an administrator of that channel. Add me as an administrator with the rights "Invite users" and "Ban users", then pick it again.
own-verify-bot-rights = I am an administrator there but without the rights "Invite users" and "Ban users". Give me both, then pick the channel again.
own-verify-user-not-admin = Only the creator or an administrator of the channel can register it.
own-verify-taken = This channel is already registered by another owner.
own-verify-already-yours = You have already registered this channel. Open it in /channels.
own-verify-limit = You have reached the limit of { $max } channels.
own-channel-found = ✅ Found <b>{ $channel }</b>. Now the subscription plans.
own-ask-price = Plan { $n }: send the price in US dollars, from { $min } to { $max } (for example 9.99).
own-bad-price = Please send a price from { $min } to { $max }.
own-ask-days =
    ✅ Plan { $n } price: { $price }.
    Plan { $n }: how many days does it last? Send a whole number from 1 to 3650.
own-bad-days = Please send a whole number of days from 1 to 3650.
own-tier-line = { $medal } { $price } — { $days } days
own-more-tiers =
    Your plans so far:
    { $tiers }

    Add another plan, or go on to the payout settings?
own-tiers-done =
    Your plans:
    { $tiers }
own-too-many-tiers = At most { $max } plans per channel.
own-btn-add-tier = ➕ Add a plan
own-btn-tiers-done = ➡️ Done
own-use-buttons = Please use the buttons above, or /cancel to stop.
own-ask-currency = 💱 In which coin and network do you want to be paid? (page { $page } of { $pages })
own-ask-address = Send your <b>{ $currency }</b> wallet address on <b>{ $network }</b>. Only the public address: never a private key or seed phrase.
own-address-secret = ⛔ That looks like a private key or a seed phrase. I did not store it. Never share it with anyone: whoever has it controls your wallet. Send your public wallet address instead.
own-address-wrong-network = That address belongs to { $detected }, not to { $network }. Send an address on { $network }.
own-address-bad-checksum = That address has a typo: its checksum does not match. Copy it again from your wallet ({ $network }).
own-address-bad-format = That is not a valid { $network } address. Copy it again from your wallet.
own-ask-extra = This network may need a { $name }. Send it, or tap the button if your wallet does not use one.
own-btn-skip-extra = No memo needed
own-bad-extra = That memo or tag is not valid for this network. Send it again, or tap "No memo needed".
own-ask-strategy =
    How should you be paid?
    • <b>Instant</b>: every payment is swapped to your coin and sent at once (network fees on every payment).
    • <b>Threshold</b>: payments add up in USDT and are sent in one batch when they reach your threshold (at least { $min }), which saves fees.
    The platform fee is { $fee }% of each payment.
own-btn-instant = ⚡ Instant
own-btn-threshold = 🎯 Threshold
own-ask-threshold = Send the threshold in US dollars, at least { $min } (for example 50).
own-bad-threshold = Please send a threshold of at least { $min }.
own-strategy-instant = instant
own-strategy-threshold = threshold { $threshold }
own-summary =
    <b>Check and confirm</b>

    Channel: <b>{ $channel }</b>
    Plans:
    { $tiers }
    Payout: { $currency } on { $network }
    Wallet: <code>{ $address }</code>
    Memo: { $extra }
    Strategy: { $strategy }
own-summary-payout =
    <b>New payout settings</b>{ $channel }

    Payout: { $currency } on { $network }
    Wallet: <code>{ $address }</code>
    Memo: { $extra }
    Strategy: { $strategy }

    Money already waiting is paid to the wallet it was earned for.
own-btn-confirm = ✅ Confirm
own-btn-abort = ✖️ Cancel
own-aborted = Cancelled. Nothing was saved.
own-registered =
    🎉 <b>{ $channel }</b> is registered and on sale.

    Share these links:
    { $links }
own-btn-post = 📣 Post the offer in a channel
own-btn-open = ⚙️ Manage the channel
own-bot-added = I was added as an administrator to <b>{ $channel }</b>. Do you want to sell access to it?
own-btn-register = ➕ Register this channel

# My channels
own-no-channels = You have no channels yet.
own-list-title = 📋 Your channels:
own-not-found = This channel is not available.
own-card =
    <b>{ $channel }</b> — { $status }

    Plans:
    { $tiers }
    Payout: { $currency } on { $network }
    Wallet: <code>{ $address }</code>
    Strategy: { $strategy }
    Access: { $mode }
    Payment notifications: { $notify }
own-status-on-sale = 🟢 on sale
own-status-paused = ⏸ sales paused
own-status-rights-lost = ⚠️ paused: I lost my administrator rights
own-mode-join-request = join request approved by the bot
own-mode-one-time-link = one-time invite link
own-on = on
own-off = off
own-btn-balance = 💰 Balance
own-btn-links = 🔗 Links
own-btn-edit-tiers = ✏️ Plans
own-btn-edit-payout = 💱 Payout
own-btn-edit-title = ✏️ Title
own-btn-edit-desc = ✏️ Description
own-btn-pause = ⏸ Pause sales
own-btn-resume = ▶️ Resume sales
own-btn-notify-on = 🔔 Notify me of payments
own-btn-notify-off = 🔕 Mute payment notices
own-btn-mode = 🔁 Access mode
own-btn-delete = 🗑 Delete
own-btn-delete-confirm = 🗑 Yes, delete
own-btn-back = ⬅️ Back
own-links =
    🔗 Links of <b>{ $channel }</b>:
    { $links }
own-ask-tiers-edit =
    Send the new plans, one per line as "price days", at most { $max } lines, prices from { $min }. For example:
    9.99 30
    24.99 90
    Current subscribers keep renewing at the price they bought. /cancel to stop.
own-tiers-bad-line = Line { $line } is not "price days" with a price from { $min } to { $max } and 1 to 3650 days.
## Typed amounts of money (prices, thresholds, donations): why one was refused, and the forms
## that are accepted. Thousands separators are refused: 1,000 is a thousand in English and one in Russian.
own-tiers-bad-price = Line { $line }: the price is not accepted.
amount-not-a-number = ⚠️ That is not an amount I can read.
amount-ambiguous = ⚠️ That amount can be read two ways: thousands separators (1,000 · 1.000 · 1 000) are not accepted. Type the dollars without separators, then the cents after one point or comma.
amount-negative = ⚠️ The amount cannot be negative.
amount-zero = ⚠️ The amount must be more than zero.
amount-too-precise = ⚠️ At most two decimals (whole cents), please.
amount-below-min = ⚠️ That is below the minimum.
amount-above-max = ⚠️ That is above the maximum.
amount-forms = Accepted forms: <code>1000</code> · <code>1000.50</code> · <code>1000,50</code> · <code>$5</code> · <code>5 usd</code>. No thousands separators.
own-use-format = Send one plan per line as "price days", or /cancel to stop.
own-tiers-saved = ✅ Plans saved. New prices apply to new purchases; subscribers renew at the price they bought.
own-ask-title = Send the new title shown to buyers (up to { $max } characters).
own-ask-description = Send the new description shown to buyers (up to { $max } characters).
own-text-too-long = Please send a text of 1 to { $max } characters.
own-saved = ✅ Saved.
own-payout-saved = ✅ Payout settings saved. New payments are paid to the new wallet.
own-delete-ask = Delete <b>{ $channel }</b>? Sales stop and its links no longer work. Current subscribers keep their access until it expires.
own-deleted = 🗑 <b>{ $channel }</b> is deleted.
own-delete-refused = Money is still on its way to you for this channel. You can delete it once everything is paid out; pause sales meanwhile.

# Offer message
own-offer-ask = Pick the public channel where I should post the offer (I must be an administrator there allowed to post), or forward me a post from it. /cancel to stop.
own-offer-button = 📣 Pick a public channel
own-offer-waiting = Pick the channel with the button below, or forward me a post from it. /cancel to stop.
own-offer-not-admin = I cannot post in that channel. Make me an administrator with the right to post messages, then try again.
own-offer-failed = ⚠️ I could not post the offer. Your previous offer, if any, is still there.
own-offer-posted = ✅ The offer is posted.
own-offer-text =
    <b>{ $channel }</b>
    { $description }

    Pick a plan to subscribe:

# Balance and payouts
own-figures =
    Revenue: { $revenue } ({ $payments } payments)
    Platform fees: { $fees }
    Active subscribers: { $subscribers }
    Waiting to be paid out: { $pending }
    Paid out: { $paid }
own-balance-total =
    💰 <b>All { $count } channels</b>

    { $figures }
own-balance-channel =
    💰 <b>{ $channel }</b>

    { $figures }
own-progress = Threshold progress: { $pending } / { $threshold } ({ $percent }%)
own-eta = Next payout expected around { $date } at the pace of the last 30 days.
own-eta-now = The threshold is reached: the payout goes out with the next batch.
own-eta-unknown = No payments in the last 30 days, so no estimate of the next payout yet.
own-unvalued = { $count } recent payments are still being valued and are not in these figures yet.
own-btn-history = 🧾 Payout history
own-btn-csv = 📄 CSV export
own-history-empty = No payouts yet.
own-history =
    🧾 <b>Payouts of { $channel }</b>
    { $lines }
own-history-line = { $date }: { $amount } ({ $usd }) — { $state }
own-payout-state-sent = ✅ sent
own-payout-state-failed = ⚠️ failed
own-payout-state-cancelled = ✖️ cancelled
own-payout-state-pending = ⏳ in progress
own-statement =
    🧾 <b>Payout #{ $id }</b> — { $date } — { $state }

    Payments included:
    { $items }

    Gross: { $gross }
    Platform fee: { $fees }
    Net to you: { $net }
    Sent: { $amount } on { $network }
    Swap rate: { $rate }
    Transaction: <code>{ $tx }</code>
    { $link }
own-statement-item = • { $date }: { $value } − fee { $fee } = { $owner }
own-csv-caption = 📄 Payments and payouts of <b>{ $channel }</b>.

# Owner notices
owner-new-payment = 💸 New payment for <b>{ $channel }</b>: { $price } for { $days } days.
owner-threshold-crossed = 🎯 <b>{ $channel }</b> reached your payout threshold: { $pending } of { $threshold }. The payout is on its way.
owner-payout-sent =
    ✅ Payout sent for <b>{ $channel }</b>: { $amount } { $currency } on { $network }.
    Transaction: <code>{ $tx }</code>
    { $link }
owner-payout-failed-retrying = ⚠️ A payout of { $amount } for <b>{ $channel }</b> did not go through. Nothing is lost: we retry automatically and tell you when it is sent.
owner-payout-failed-review = ⚠️ A payout of { $amount } for <b>{ $channel }</b> failed and needs a manual check by our team. Nothing is lost: the money stays in your balance until it is paid.
owner-payout-deferred-min = ⏳ { $amount } from <b>{ $channel }</b> is below the exchange minimum ({ $minimum }), so it waits in your balance and goes out with the next payout.
owner-payout-deferred = ⏳ { $amount } from <b>{ $channel }</b> is below the exchange minimum, so it waits in your balance and goes out with the next payout.
owner-rights-restored = ✅ My administrator rights in <b>{ $channel }</b> are back: sales are on again.
owner-wallet-changed = 💱 The payout wallet of <b>{ $channel }</b> is now { $currency } on { $network }: <code>{ $address }</code>. If you did not make this change, contact support at once.

# Operators
cmd-admin = Operator menu
admin-menu =
    🛠 <b>Operator menu</b>

    Payouts: { $paused }
    Failed jobs: { $failed }
    Open alerts: { $alerts }
    Payout queue: { $payouts_pending } moving, { $payouts_stuck } stuck, { $payouts_failed } failed
    Payments to review: { $review }
    Host wallet: <code>{ $wallet }</code>
    Balance: { $balance }
admin-paused = ⏸ paused (kill switch on)
admin-running = ▶️ running
admin-btn-pause = ⏸ Pause all payouts
admin-btn-resume = ▶️ Resume payouts
admin-btn-jobs = 🧯 Failed jobs
admin-btn-alerts = 🚨 Alerts
admin-btn-audit = 🧮 Money audit
admin-no-failed-jobs = No failed jobs.
admin-failed-jobs =
    🧯 <b>Failed jobs</b> (newest first). Retry one when its cause is fixed:
    { $lines }
admin-job-retried = 🔁 The job is queued again.
admin-job-not-failed = That job is not failed (any more).
admin-no-alerts = No open alerts.
admin-alerts =
    🚨 <b>Open alerts</b>:
    { $lines }
admin-alert-resolved = ✔ Alert marked as handled.
admin-alert-not-open = That alert is already handled.
admin-btn-log = 📜 Admin log
admin-btn-log-csv = 📄 CSV
admin-log-empty = The admin log is empty: no operator has changed anything yet.
admin-log =
    📜 <b>Admin log</b>, actions { $from }–{ $to } (newest first; when, who, what, subject: before → after):
    { $lines }
admin-log-csv-caption = 📄 The admin log: { $count } actions.
admin-btn-stats-today = 📊 Today
admin-btn-stats-week = 📊 7 days
admin-btn-stats-month = 📊 30 days
admin-stats-none = none
admin-stats =
    📊 <b>The last { $days ->
        [one] day
       *[other] { $days } days
    }</b>

    Revenue: { $revenue } (platform fees { $fees })
    Payments: { $payments }
    Subscriptions: { $active } active, { $new } new, { $ended } ended
    Pending payouts by channel:
    { $pending }
    Failed jobs: { $failed } · open alerts: { $alerts }

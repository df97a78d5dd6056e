# Operators: the console's shared parts (confirmation, paging, menu buttons)
cmd-lookup = Operators: find a user, channel, invoice, payment or tx
admin-btn-payouts = 💸 Payouts
admin-btn-orphans = 🧾 Payments to review
admin-btn-lookup = 🔎 Lookup
admin-lookup-help =
    🔎 <b>Lookup</b>: send <code>/lookup</code> and one of
    • a Telegram user id or @username
    • a channel's id, code or @username
    • an invoice id, a payment id (ours or NOWPayments') or a transaction hash
admin-btn-prev = ◀ Newer
admin-btn-next = Older ▶
admin-confirm-question = Do it?
admin-btn-confirm = ✅ Confirm
admin-btn-cancel = ✖ Cancel
admin-ask-pause = ⏸ <b>Pause all payouts</b>: no payout, conversion or wallet transfer starts until an operator resumes. Payments are still taken and access still granted.
admin-ask-resume = ▶️ <b>Resume payouts</b>: waiting payouts, conversions and transfers start moving money again at once.
admin-ask-retry-job = 🔁 <b>Retry job</b> { $id } ({ $kind }, { $attempts } attempts so far) with a fresh retry budget. Its last error: { $error }
admin-paused-now = ⏸ All payouts are paused.
admin-resumed-now = ▶️ Payouts are running again.
admin-already-paused = Payouts are already paused.
admin-already-running = Payouts are already running.
access-resent-request =
    🔁 Here is a fresh invite to <b>{ $channel }</b>; your access is active until { $expires }. Links sent before no longer work.

    Tap the button and send the join request; I approve it right away.
access-resent-link =
    🔁 Here is a fresh invite to <b>{ $channel }</b>; your access is active until { $expires }. Links sent before no longer work.

    Tap the button to join. The link is personal and works once.

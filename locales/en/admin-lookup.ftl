# Operators: /lookup, a channel's and a user's operator cards, pausing a channel's sales, resending an invite
admin-lookup-none = 🔎 Nothing found for <code>{ $query }</code>.
admin-lookup-more = … { $count } more
admin-lookup-nothing = —
admin-lookup-gone = 🔎 Not found (it may have been removed).
admin-lookup-user =
    👤 <b>User</b> <code>{ $id }</code> { $name }
    Language: { $lang } · channels owned: { $owned }
admin-lookup-subscriptions = Subscriptions (channel, status → expiry)
admin-lookup-invoices = Invoices
admin-lookup-payments = Payments
admin-lookup-grants = Grants (days, old → new expiry)
admin-lookup-invites = Invite links
admin-lookup-balance = Pending balance (by state)
admin-lookup-payouts = Payouts
admin-lookup-events = Payment events (IPNs)
admin-lookup-money = Access and money
admin-lookup-applied = applied
admin-lookup-not-applied = not applied
admin-lookup-state-on-sale = 🟢 on sale
admin-lookup-state-owner-paused = ⏸ paused by the owner
admin-lookup-state-admin-paused = ⛔ paused by the operator
admin-lookup-state-rights-lost = ⚠️ bot rights lost
admin-lookup-state-deleted = 🗑 deleted
admin-lookup-channel =
    📣 <b>Channel</b> <code>{ $id }</code> <b>{ $title }</b>
    Owner: { $owner }
    Code: <code>{ $code }</code> · chat <code>{ $chat }</code> · { $mode }
    Plans: { $plans }
    Payout: { $payout } · { $strategy }
    State: { $state }
    Active subscribers: { $active }
admin-lookup-invoice =
    🧾 <b>Invoice</b> <code>{ $id }</code> ({ $kind }), { $created }
    User <code>{ $user }</code> · channel { $channel }
    { $days } days · { $price } · status <b>{ $status }</b> · NOWPayments invoice <code>{ $np }</code>
admin-lookup-payment =
    💳 <b>Payment</b> <code>{ $id }</code> · NOWPayments <code>{ $np }</code>
    Invoice: { $invoice } · status <b>{ $status }</b> · { $created }
    Paid: { $paid } · outcome: { $outcome }
    Value { $value } = fee { $fee } + owner { $owner }
admin-lookup-held = ⚠️ Held: { $reason }
admin-lookup-orphan = ⚠️ Orphan: { $reason }
admin-lookup-review = 🧐 Review: { $review } ({ $reason })
admin-lookup-tx =
    ⛓ <b>Wallet transaction</b> <code>{ $hash }</code>
    State <b>{ $state }</b> · nonce { $nonce } · chain { $chain } · { $created }
    { $amount } of { $asset } to <code>{ $to }</code>
admin-lookup-for-payout = For payout:
admin-lookup-for-conversion = For conversion:
admin-lookup-payout-tx = 💸 <b>Payout transaction</b> (paid to the owner):
admin-btn-user-card = 👤 User card
admin-btn-owner = 👤 Owner
admin-btn-channel = 📣 Channel
admin-btn-resend-invite = 🔗 Resend invite: { $channel }
admin-btn-pause-channel = ⛔ Stop this channel's sales
admin-btn-resume-channel = ▶️ Restart this channel's sales
admin-ask-pause-channel = ⛔ <b>Stop sales of { $channel }</b>: new purchases, renewals and donations are refused and its links say sales are paused. Current members keep their access until their subscriptions end. The owner sees "paused by the operator" and cannot lift it; only an operator can.
admin-ask-resume-channel = ▶️ <b>Restart sales of { $channel }</b>: the operator's stop is lifted. The channel sells again unless its owner has paused it too (that pause stays the owner's).
admin-channel-paused-now = ⛔ Sales of <b>{ $channel }</b> are stopped by the operator.
admin-channel-resumed-now = ▶️ The operator's stop on <b>{ $channel }</b> is lifted.
admin-channel-already-paused = Sales of <b>{ $channel }</b> are already stopped by an operator.
admin-channel-not-paused = Sales of <b>{ $channel }</b> are not stopped by an operator.
admin-ask-resend-invite = 🔗 <b>Resend an invite</b> to { $user } for <b>{ $channel }</b> (subscription until { $expires }, { $mode }): their { $links } unrevoked link(s) are revoked and they receive a fresh personal link by direct message. Members already in the channel stay in.
admin-invite-resent = 🔗 A fresh invite to <b>{ $channel }</b> is on its way to the subscriber.
admin-invite-recently = An invite to <b>{ $channel }</b> was resent less than a minute ago; nothing more was sent.
admin-invite-not-possible = No invite can be sent for <b>{ $channel }</b>: the subscription is not active, has expired, or the channel is deleted or the bot lost its rights there.
own-status-admin-paused = ⛔ sales stopped by the operator (contact support)

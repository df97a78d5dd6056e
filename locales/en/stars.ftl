# Telegram Stars (issue 15)

# Subscriber
stars-button = ⭐ { $medal } Pay { $stars } Stars · { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
stars-invoice-description = Access to { $channel } for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
stars-invoice-label = { $days ->
        [one] { $days } day
       *[other] { $days } days
    } of access
stars-unavailable = Paying with Stars is not available for this plan right now. Open the channel link again to see the current plans.
stars-refused-invalid = This invoice is not valid. Open the channel link again to get a new one.
stars-refused-expired = This invoice has expired. Press the Stars button again to get a new one.
stars-refused-not-on-sale = This channel is not selling subscriptions right now.
stars-received-unmatched = ⭐ We received your Stars but could not match them to an invoice. The operators have been told and will sort it out.
stars-statement-mark = ⭐ { $stars } Stars

# Owner
own-btn-stars = ⭐ Stars prices
own-stars-none = not sold for Stars
own-stars-price = ⭐ { $stars } Stars
own-stars-plan = { $plan }: { $price }
own-stars-title =
    ⭐ <b>Stars prices of { $channel }</b>

    Subscribers can also pay these plans in Telegram Stars. Your share is valued at { $rate } USD per Star (after Telegram's share), then the platform fee is taken and it is paid out like any other payment. Choose a plan:
own-stars-ask = Send the price of { $plan } in <b>{ $channel }</b> in whole Stars (1 to { $max }), or 0 to stop selling it for Stars. One Star is valued at { $rate } USD.
own-stars-bad = Please send a whole number of Stars from 0 to { $max }.
own-stars-cleared = { $plan } is no longer sold for Stars.
own-stars-saved = ⭐ { $plan } now also sells for { $stars } Stars (valued at { $value } before the platform fee).

# Operators
admin-stars-refund-button = ⭐ Refund { $stars } Stars
admin-stars-share = The owner's share is { $owner }; what is not paid out yet is taken back.
admin-stars-share-none = The payment is not valued yet; there is no owner share to take back.
admin-stars-not-stars = This is not a Telegram Stars payment.
admin-stars-already = Stars payment { $id } is already refunded. Nothing changed.
admin-stars-ask-refund =
    ⭐ <b>Refund Stars payment { $id }?</b>

    { $stars } Stars go back to user <code>{ $user }</code> through Telegram, the days this payment bought are taken back, and the payment is marked refunded. { $share }
admin-stars-refund-failed = Telegram refused the refund: { $error }. Nothing changed.
admin-stars-taken-back = The owner's unpaid share of { $owner } was taken back.
admin-stars-paid-out = ⚠️ The owner's share of { $owner } was already paid out (or is on its way) and was not taken back; an alert was raised.
admin-stars-refunded = ✅ Stars payment { $id } refunded: { $stars } Stars returned, access revoked. { $share }

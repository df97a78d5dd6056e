# Grace period (issue 15)

# Subscriber
grace-started =
    ⏳ Your subscription to <b>{ $channel }</b> ended on { $ended }. You keep your access until { $until }.

    Renew now to stay: the new days continue from { $ended }.
subscriptions-grace-line = • <b>{ $channel }</b> — ended on { $ended }, access until { $until } (grace period)

# Owner
own-btn-grace = ⏳ Grace period
own-grace-none = none
own-grace-hours = { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }
own-grace-card = ⏳ Grace period: { $grace }
own-grace-ask =
    ⏳ <b>Grace period of { $channel }</b> (now: { $grace })

    When a subscription ends, the subscriber is told and keeps access for the grace period; renewing in it continues from the original end. Send the number of hours from 1 to { $max }, or 0 for no grace.
own-grace-bad = Please send a whole number of hours from 0 to { $max } (0 means no grace). Nothing was changed.
own-grace-saved = ✅ <b>{ $channel }</b>: grace period of { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }.
own-grace-cleared = ✅ <b>{ $channel }</b>: no grace period; subscribers are removed when their time ends.

# Operators
admin-lookup-grace = grace until { $until }

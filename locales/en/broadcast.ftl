# Broadcasts (issue 15)

# Owner
bc-btn = 📣 Broadcast
bc-title = 📣 <b>Broadcast to the subscribers of { $channel }</b>

    Who should get the message?
bc-btn-active = 👥 Active subscribers ({ $count })
bc-btn-lapsed = 🔄 Lapsed subscribers (win-back)
bc-ask-days = How many days back? I will message the subscribers whose subscription ended in that many last days, with a renew button. Send a number from 1 to { $max }.
bc-days-bad = Please send a whole number of days from 1 to { $max }.
bc-who-active = { $count ->
        [one] { $count } active subscriber
       *[other] { $count } active subscribers
    }
bc-who-lapsed = { $count ->
        [one] { $count } subscriber
       *[other] { $count } subscribers
    } whose subscription ended in the last { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
bc-ask-message = The message goes to { $who }.

    Send it now: text (up to { $max_text } characters), or one photo with a caption (up to { $max_caption } characters). /cancel to stop.
bc-message-kind = Please send text, or one photo with a caption.
bc-message-long = That is { $length } characters; the limit is { $max }. Please send a shorter message.
bc-confirm = ☝️ This is how subscribers will see it. Send it to { $count ->
        [one] { $count } subscriber
       *[other] { $count } subscribers
    } of <b>{ $channel }</b>?
bc-btn-send = ✅ Send to { $count }
bc-btn-cancel = ✖️ Cancel
bc-started = 📣 Sending to { $count ->
        [one] { $count } subscriber
       *[other] { $count } subscribers
    } of <b>{ $channel }</b>. I will tell you when it is done.
bc-not-draft = This broadcast was already sent or cancelled.
bc-nobody = Nobody would receive this broadcast now, so nothing was sent.
bc-cancelled = Broadcast cancelled; nothing was sent.
bc-daily-limit = <b>{ $channel }</b> already had a broadcast in the last 24 hours (at { $last }). One broadcast per channel a day: the next is possible after { $next }.
bc-report = 📣 Broadcast to <b>{ $channel }</b> finished: delivered { $delivered }, blocked { $blocked }, failed { $failed }.

# Subscriber
bc-header = 📣 <b>{ $channel }</b>
bc-renew-button = 🔄 Renew subscription
bc-stop-button = 🔕 Stop messages from this channel
bc-optout-off = 🔕 You will not get broadcast messages from <b>{ $channel }</b> any more.
bc-optout-on = 🔔 Broadcast messages from <b>{ $channel }</b> are on again.
bc-optout-on-button = 🔔 Turn messages back on

# Operator
bc-admin-btn-lift = 📣 Lift the daily broadcast limit
bc-admin-ask-lift = Lift the daily broadcast limit of <b>{ $channel }</b>? Its last broadcast went out at { $last }; the owner could send another one right away. Subscribers can still turn broadcasts off.
bc-admin-lifted = ✅ The daily broadcast limit of <b>{ $channel }</b> is lifted: the owner may broadcast again now.
bc-admin-not-limited = <b>{ $channel }</b> has no broadcast limit in force: the owner can broadcast now. Nothing changed.

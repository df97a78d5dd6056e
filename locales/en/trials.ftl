# Free trials (issue 15)

# Subscriber
trial-button = 🎁 { $medal } Try { $days ->
        [one] { $days } day
       *[other] { $days } days
    } free
trial-started = 🎁 Your free trial of <b>{ $channel }</b> has started: { $days ->
        [one] { $days } day
       *[other] { $days } days
    }, until { $expires }. Your invite comes in the next message.
trial-refused-used = You have already used your free trial of <b>{ $channel }</b>. Choose a plan to subscribe.
trial-refused-subscribed = You already have access to <b>{ $channel }</b>; the free trial is for new subscribers.
trial-unavailable = This free trial is not available any more. Open the channel link again to see the current plans.
trial-access-request =
    🎁 Free trial started! Your access to <b>{ $channel }</b> is active until { $expires }.

    Tap the button and send the join request; I approve it right away.
trial-access-link =
    🎁 Free trial started! Your access to <b>{ $channel }</b> is active until { $expires }.

    Tap the button to join. The link is personal and works once.

trial-reminder = ⏰ Your free trial of <b>{ $channel }</b> ends on { $expires }. Subscribe now to keep your access; the paid days start when the trial ends.
trial-expired = Your free trial of <b>{ $channel }</b> has ended. Subscribe to come back:
trial-buy-button = 💳 Subscribe

# Owner
owner-trial-started = 🎁 A new subscriber started a { $days }-day free trial of <b>{ $channel }</b>.
own-btn-trials = 🎁 Free trials
own-trials-title =
    🎁 <b>Free trials of { $channel }</b>

    A new subscriber may try a plan free, once per channel, and is removed at the end unless they pay. Pick a plan to set or remove its trial:
own-trial-none = no trial
own-trial-days = { $days ->
        [one] { $days }-day trial
       *[other] { $days }-day trial
    }
own-trial-plan = { $plan }: { $trial }
own-trial-ask = How many days of free trial for { $plan } of <b>{ $channel }</b>? Send a number from 1 to { $max }, or 0 to remove the trial.
own-trial-bad = Please send a whole number of days from 0 to { $max } (0 removes the trial). Nothing was changed.
own-trial-saved = ✅ { $plan }: free trial of { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
own-trial-cleared = ✅ { $plan }: no free trial any more.
own-trials-card = 🎁 Free trials: { $list }
own-trials-stats = 🎁 Trials: started { $started }, converted { $converted }

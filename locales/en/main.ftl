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

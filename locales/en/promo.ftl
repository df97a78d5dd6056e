# Promo codes (issue 15)

# Subscriber
promo-have-code = 🏷 I have a code
promo-ask = 🏷 Send your promo code for <b>{ $channel }</b>.
promo-applied = 🏷 Code <b>{ $code }</b> applied: { $discount } off. Choose a plan of <b>{ $channel }</b>:
promo-tier-button = 🏷 { $medal } { $price } (was { $old }) · { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
promo-unknown = This promo code does not exist for <b>{ $channel }</b>. You can still choose a plan at the full price:
promo-expired = This promo code has expired. You can still choose a plan of <b>{ $channel }</b> at the full price:
promo-wrong-tier = This promo code is for another plan of <b>{ $channel }</b>. Choose a plan:
promo-used-up = This promo code is used up: all its uses are taken. You can still choose a plan of <b>{ $channel }</b> at the full price:
promo-already-used = You have already used this promo code for <b>{ $channel }</b>. You can still choose a plan at the full price:

# Owner
own-btn-promos = 🏷 Promo codes
own-promos-title = 🏷 <b>Promo codes of { $channel }</b>
own-promos-none = No codes yet.
own-promos-more = …and { $count } older codes.
own-promos-total = Paid with a code: { $paid }, revenue { $revenue }.
own-promos-balance = 🏷 Promo codes: { $paid } paid, revenue { $revenue }.
own-promo-line = • <code>{ $code }</code> — { $discount } off{ $plan } · uses { $uses }/{ $limit } · paid { $paid } · revenue { $revenue } { $state }
own-promo-until = · until { $date }
own-promo-expired = · expired
own-promo-off = · turned off
own-promo-btn-new = ➕ New code
own-promo-btn-off = 🚫 Turn off { $code }
own-promo-ask = 🏷 New promo code for <b>{ $channel }</b>: send one line.
own-promo-format =
    Format: <code>CODE DISCOUNT [plan=N] [uses=N] [days=N]</code>
    • CODE: 3–32 letters, digits, <code>-</code> or <code>_</code>
    • DISCOUNT: a percent from 1% to 99%, or an amount such as $3
    • plan=N: only for plan N (1 = 🥇); uses=N: at most N uses; days=N: valid for N days
    Example: <code>SPRING 20% uses=100 days=30</code>
own-promo-bad-code = The code must be 3–32 letters, digits, - or _.
own-promo-bad-percent = The discount must be a whole percent from 1% to 99% or an amount such as $3.
own-promo-bad-amount = Send an amount off from { $min } to { $max }.
own-promo-bad-option = I did not understand the options: use plan=N, uses=N (1 to 1000000) and days=N (1 to 3650), each once.
own-promo-bad-plan = There is no such plan in this channel.
own-promo-too-big = That amount off would bring every plan it applies to below { $min }, the smallest price.
own-promo-exists = This channel already has the code <code>{ $code }</code> (codes ignore letter case). Choose another.
own-promo-saved = ✅ Code <code>{ $code }</code> saved: { $discount } off. Subscribers enter it on the channel card, or open this link: { $link }

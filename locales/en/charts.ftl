# The /balance chart (issue 15): buttons, the words drawn in the picture, and its caption.
chart-btn = 📈 { $days } days
chart-title = Last { $days } days (UTC)
chart-revenue = Revenue per day, USD (gross: paid amount, platform fee included)
chart-method-stars = ⭐ Telegram Stars
chart-method-crypto = Crypto (NOWPayments)
chart-subscribers = Active subscribers at the end of each day
chart-progress = Pending payout balance and the threshold
chart-pending = Waiting for payout
chart-threshold = Payout threshold { $threshold }
chart-eta = Expected to reach the threshold on { $date }
chart-eta-now = Threshold reached: paid out with the next batch
chart-eta-none = No estimate: no payments in the last 30 days
chart-no-payments = No payments yet
chart-no-payments-period = No payments in the last { $days } days
chart-caption =
    📈 <b>{ $channel }</b>, last { $days } days
    Revenue (gross): { $total } from { $payments ->
        [one] { $payments } payment
       *[other] { $payments } payments
    }
    Active subscribers now: { $subscribers }
chart-caption-threshold = Waiting for payout: { $pending } of { $threshold }

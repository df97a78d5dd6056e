# Operators: payments waiting for review (orphans and held payments)
admin-orphans-empty = 🧾 No payments wait for review.
admin-orphans =
    🧾 <b>Payments to review</b>: { $count } waiting (newest first)
    { $lines }
admin-orphans-page-empty = 🧾 { $count } payments wait for review; this page is empty.
admin-orphan-kind-held = ⏸ held
admin-orphan-kind-orphan = ❓ orphan
admin-orphan-not-found = No payment { $id }.
admin-orphan-card =
    🧾 <b>Payment { $id }</b> ({ $kind })
    NOWPayments id: { $np }
    order_id: { $order } · parent payment: { $parent }
    Status: { $status }
    Asked: { $asked } · paid: { $paid }
    Price: { $price }
    Outcome: { $outcome } · granted: { $granted }
    Invoice: { $invoice }
    Reason: { $reason }
    Events: { $events } (newest: { $last })
    Created: { $created }
admin-orphan-reviewed = Reviewed: <b>{ $review }</b> { $reason } by <code>{ $by }</code> at { $at }
admin-orphan-candidates =
    Invoices it could belong to:
    { $lines }
admin-orphan-no-candidates = No invoice of ours looks like its own (same price within 48 hours, or its parent payment's).
admin-orphan-assign-hint = Any other invoice: <code>/assign { $id } &lt;invoice id&gt;</code>
admin-btn-assign = ➡ Invoice { $invoice } · { $price } · { $status }
admin-btn-release = ▶️ Release
admin-btn-dismiss = 🗑 Dismiss…
admin-orphan-dismiss-pick = 🗑 Why dismiss payment <code>{ $id }</code>? Nothing is granted or paid out from it.
admin-dismiss-reason-duplicate = Duplicate of another payment
admin-dismiss-reason-refunded = Refunded outside TelePay
admin-dismiss-reason-test = A test or a mistake
admin-dismiss-reason-not-ours = Not ours
admin-assign-usage = Usage: <code>/assign &lt;payment id&gt; &lt;invoice id&gt;</code> (our payment id or NOWPayments', and our invoice id). Nothing was changed.
admin-review-payment = payment <code>{ $id }</code> (NOWPayments <code>{ $np }</code>): { $status }, paid { $paid } of { $asked }, outcome { $outcome }
admin-review-invoice = invoice <code>{ $id }</code> of user <code>{ $user }</code>: { $channel }, { $plan }, { $price }, { $status }
admin-review-plan-days = { $days } days
admin-review-plan-donation = donation
admin-review-plan-topup = top-up
admin-effect-grant = grants { $days } days of { $channel } to user <code>{ $user }</code> (with the owner's share and the invite)
admin-effect-donation = records a donation of { $price } to { $channel } (the owner's share follows)
admin-effect-topup = paid too little: offers user <code>{ $user }</code> a top-up of { $missing }
admin-effect-wait = records it; access comes when NOWPayments reports it finished
admin-effect-close = records it as { $status } on the invoice; nothing is granted
admin-effect-revalue = it was granted before it was held: the grant stays and its value is computed again
admin-ask-assign =
    ➡ <b>Assign</b> { $payment }
    to { $invoice }.
    This { $effect }.
admin-ask-release =
    ▶️ <b>Release</b> { $payment }
    held because: { $reason }
    for { $invoice }.
    This { $effect }.
admin-ask-dismiss =
    🗑 <b>Dismiss</b> { $payment }
    as: { $reason }. Nothing is granted or paid out from it; later notifications for it are kept but move nothing.
admin-assigned-now = ✅ Payment <code>{ $payment }</code> assigned to invoice <code>{ $invoice }</code>: { $effect }.
admin-released-now = ✅ Payment <code>{ $payment }</code> released: { $effect }.
admin-dismissed-now = ✅ Payment <code>{ $payment }</code> dismissed ({ $reason }).
admin-review-no-payment = There is no such payment.
admin-review-done = This payment was already reviewed: { $review }. Nothing changed.
admin-review-not-waiting = This payment does not wait for review. Nothing changed.
admin-review-not-orphan = This payment already belongs to an invoice; only an orphan can be assigned. Nothing changed.
admin-review-not-held = This payment is not held. Nothing changed.
admin-review-no-invoice = There is no such invoice. Nothing changed.
admin-review-invoice-closed = That invoice is { $status }: a payment cannot be assigned to it. Nothing changed.
admin-review-amounts = Its amounts cannot move money: { $reason }. Dismiss it, or wait for NOWPayments to report it again. Nothing changed.

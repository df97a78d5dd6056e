# Operators: the payouts console (pending, failed, stuck; a payout's card; retry and cancel)
admin-payouts-filter-pending = Pending
admin-payouts-filter-failed = Failed
admin-payouts-filter-stuck = Stuck
admin-payouts-help-pending = Not finished and moving: changed within the last { $minutes } min and their step job has not failed.
admin-payouts-help-failed = Failed: nothing happens until an operator retries or cancels them.
admin-payouts-help-stuck = Not finished, and unchanged for { $minutes } min or more, or their step job failed.
admin-payouts-list =
    💸 <b>Payouts: { $filter }</b>, page { $page }
    <i>{ $help }</i>

    { $lines }
admin-payouts-empty =
    💸 <b>Payouts: { $filter }</b>
    <i>{ $help }</i>

    No payouts here.
admin-payout-not-found = There is no payout { $id }.
admin-payout-card =
    💸 <b>Payout</b> { $id } ({ $kind }): <b>{ $state }</b>
    Channel: { $channel } ({ $channel_id }), owner { $owner }
    Amount: { $usd }
    Source: { $source }
    Destination: { $dest }
    Exchange: { $exchange }
    Payin address: { $payin }
    Amount sent: { $sent }
    Transaction: { $tx }
    Error: { $error }
    Created { $created }; changed { $updated }; sent { $sent_at }
    { $origin }
    Step job: { $job }
    Wallet transactions:
    { $txs }
admin-payout-origin-payment = Payment: { $payment }
admin-payout-origin-batch = Accumulations ({ $count }): { $ids }
admin-payout-no-wallet-txs = none
admin-payout-btn-retry = 🔁 Retry
admin-payout-btn-cancel = ✖ Cancel payout
admin-payout-paused-note = ⏸ Payouts are paused (kill switch): nothing moves until they are resumed.
admin-ask-retry-payout =
    🔁 <b>Retry payout</b> { $id } ({ $kind }, { $usd }, { $state }) of { $channel }.
    { $how }
    Last error: { $error }
admin-retry-how-pending = No transaction for it can move money, so it starts again from the beginning (a new exchange, or a direct transfer from the host wallet).
admin-retry-how-exchange = No transaction for it can move money; it resumes at its ChangeNOW exchange { $exchange }: the exchange is checked first (re-created if it has closed), then funded once.
admin-retry-how-sending = It resumes at its signed transaction { $tx }: the receipt is looked up and the same signed bytes re-broadcast if needed. No new transfer is signed.
admin-retry-how-run-now = Its step job is { $job } and it has not changed for { $ago }: the step runs again now from the stored state with a fresh retry budget (a recorded transaction is looked up, never signed again).
admin-payout-retry-final = Payout { $id } is { $state }: there is nothing to retry.
admin-payout-retry-money-left = Payout { $id } cannot be retried: a transaction for it was mined, so the money left the host wallet (to the exchange { $exchange }). Retrying could pay twice: check with ChangeNOW support and the refund address first.
admin-payout-retry-healthy = Payout { $id } is { $state } and still moving (it counts as stuck after { $minutes } min without a change): nothing to retry.
admin-payout-running = Payout { $id }: its step is running right now. Ask again in a minute.
admin-payout-cancel-final = Payout { $id } is { $state } already: nothing to cancel.
admin-payout-cancel-money = Payout { $id } cannot be cancelled: a wallet transaction for it is signed, broadcast or mined, so the money may already be on its way.
admin-payout-cancel-inflight = Payout { $id } cannot be cancelled: it is { $state }, the money is on its way.
admin-ask-cancel-payout =
    ✖ <b>Cancel payout</b> { $id } ({ $kind }, { $usd }, { $state }) of { $channel }.
    Nothing has left the host wallet for it. { $share }
    It is paid with the channel's next payout, to the channel's <b>current</b> wallet { $wallet } (this payout was for { $old }). Fix the wallet first if that one is wrong: once the balance is due, the batch timer pays it.
    The owner is told that the payout was cancelled and the money is back in their balance.
admin-cancel-share-instant = Its share (payment { $payment }) goes back to the owner's balance as an amount owed.
admin-cancel-share-batch = Its { $count } accumulations go back to the owner's balance, owed again.
admin-cancel-exchange = Its unfunded ChangeNOW exchange { $exchange } is left to expire.
admin-payout-retried = 🔁 Payout { $id }: { $before } → { $after }. Its step job is queued.
admin-payout-cancelled = ✖ Payout { $id } cancelled ({ $before } → { $after }): its share is owed again and the owner is told.
owner-payout-cancelled = ↩️ A payout of { $amount } for <b>{ $channel }</b> was cancelled by our team before anything was sent. Nothing is lost: the money is back in your balance and goes out with your next payout.

# Operadores: pagos (pendientes, fallidos, atascados; ficha de un pago; reintentar y cancelar)
admin-payouts-filter-pending = Pendientes
admin-payouts-filter-failed = Fallidos
admin-payouts-filter-stuck = Atascados
admin-payouts-help-pending = Sin terminar y en marcha: cambiaron en los últimos { $minutes } min y su tarea no ha fallado.
admin-payouts-help-failed = Fallidos: no pasa nada hasta que un operador los reintente o cancele.
admin-payouts-help-stuck = Sin terminar y sin cambios desde hace { $minutes } min o más, o su tarea falló.
admin-payouts-list =
    💸 <b>Pagos: { $filter }</b>, página { $page }
    <i>{ $help }</i>

    { $lines }
admin-payouts-empty =
    💸 <b>Pagos: { $filter }</b>
    <i>{ $help }</i>

    No hay pagos aquí.
admin-payout-not-found = No existe el pago { $id }.
admin-payout-card =
    💸 <b>Pago</b> { $id } ({ $kind }): <b>{ $state }</b>
    Canal: { $channel } ({ $channel_id }), dueño { $owner }
    Importe: { $usd }
    Origen: { $source }
    Destino: { $dest }
    Intercambio: { $exchange }
    Dirección de depósito: { $payin }
    Enviado: { $sent }
    Transacción: { $tx }
    Error: { $error }
    Creado { $created }; cambiado { $updated }; enviado { $sent_at }
    { $origin }
    Tarea: { $job }
    Transacciones de la billetera:
    { $txs }
admin-payout-origin-payment = Cobro: { $payment }
admin-payout-origin-batch = Acumulaciones ({ $count }): { $ids }
admin-payout-no-wallet-txs = ninguna
admin-payout-btn-retry = 🔁 Reintentar
admin-payout-btn-cancel = ✖ Cancelar pago
admin-payout-paused-note = ⏸ Los pagos están en pausa (interruptor de emergencia): nada se mueve hasta que se reanuden.
admin-ask-retry-payout =
    🔁 <b>Reintentar el pago</b> { $id } ({ $kind }, { $usd }, { $state }) de { $channel }.
    { $how }
    Último error: { $error }
admin-retry-how-pending = Ninguna de sus transacciones puede mover dinero, así que empieza de nuevo (un intercambio nuevo o una transferencia directa desde la billetera).
admin-retry-how-exchange = Ninguna de sus transacciones puede mover dinero; continúa en su intercambio de ChangeNOW { $exchange }: primero se comprueba (se recrea si se cerró) y luego se financia una vez.
admin-retry-how-sending = Continúa en su transacción firmada { $tx }: se busca su recibo y, si hace falta, se reenvían los mismos bytes firmados. No se firma ninguna transferencia nueva.
admin-retry-how-run-now = Su tarea está { $job } y no ha cambiado desde hace { $ago }: el paso se ejecuta ahora desde el estado guardado con un presupuesto de reintentos nuevo (una transacción registrada se busca, nunca se firma de nuevo).
admin-payout-retry-final = El pago { $id } está { $state }: no hay nada que reintentar.
admin-payout-retry-money-left = El pago { $id } no se puede reintentar: una transacción suya ya se minó, el dinero salió de la billetera (al intercambio { $exchange }). Reintentar podría pagar dos veces: consulte antes con el soporte de ChangeNOW y la dirección de reembolso.
admin-payout-retry-healthy = El pago { $id } está { $state } y sigue en marcha (cuenta como atascado tras { $minutes } min sin cambios): no hay nada que reintentar.
admin-payout-running = Pago { $id }: su paso se está ejecutando ahora mismo. Vuelva a intentarlo en un minuto.
admin-payout-cancel-final = El pago { $id } ya está { $state }: no hay nada que cancelar.
admin-payout-cancel-money = El pago { $id } no se puede cancelar: una transacción suya está firmada, enviada o minada, así que el dinero puede estar ya en camino.
admin-payout-cancel-inflight = El pago { $id } no se puede cancelar: está { $state }, el dinero está en camino.
admin-ask-cancel-payout =
    ✖ <b>Cancelar el pago</b> { $id } ({ $kind }, { $usd }, { $state }) de { $channel }.
    No ha salido nada de la billetera por él. { $share }
    Se paga con el próximo pago del canal, a la billetera <b>actual</b> del canal { $wallet } (este pago iba a { $old }). Corrija antes la billetera si es incorrecta: cuando el saldo toque, el temporizador de lotes lo paga.
    Se avisa al dueño de que el pago se canceló y el dinero volvió a su saldo.
admin-cancel-share-instant = Su parte (cobro { $payment }) vuelve al saldo del dueño como importe adeudado.
admin-cancel-share-batch = Sus { $count } acumulaciones vuelven al saldo del dueño, adeudadas de nuevo.
admin-cancel-exchange = Su intercambio de ChangeNOW sin financiar { $exchange } se deja caducar.
admin-payout-retried = 🔁 Pago { $id }: { $before } → { $after }. Su tarea está en cola.
admin-payout-cancelled = ✖ Pago { $id } cancelado ({ $before } → { $after }): su parte se adeuda de nuevo y se avisó al dueño.
owner-payout-cancelled = ↩️ Un pago de { $amount } de <b>{ $channel }</b> fue cancelado por nuestro equipo antes de enviarse. No se pierde nada: el dinero volvió a su saldo y sale con su próximo pago.

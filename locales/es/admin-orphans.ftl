# Operadores: pagos en revisión (huérfanos y retenidos)
admin-orphans-empty = 🧾 No hay pagos en revisión.
admin-orphans =
    🧾 <b>Pagos en revisión</b>: { $count } (primero los nuevos)
    { $lines }
admin-orphans-page-empty = 🧾 Hay { $count } pagos en revisión; esta página está vacía.
admin-orphan-kind-held = ⏸ retenido
admin-orphan-kind-orphan = ❓ huérfano
admin-orphan-not-found = No existe el pago { $id }.
admin-orphan-card =
    🧾 <b>Pago { $id }</b> ({ $kind })
    Id en NOWPayments: { $np }
    order_id: { $order } · pago padre: { $parent }
    Estado: { $status }
    Pedido: { $asked } · pagado: { $paid }
    Precio: { $price }
    Recibido: { $outcome } · acceso concedido: { $granted }
    Factura: { $invoice }
    Motivo: { $reason }
    Eventos: { $events } (último: { $last })
    Creado: { $created }
admin-orphan-reviewed = Revisado: <b>{ $review }</b> { $reason } por <code>{ $by }</code> el { $at }
admin-orphan-candidates =
    Facturas a las que podría pertenecer:
    { $lines }
admin-orphan-no-candidates = Ninguna factura nuestra parece suya (mismo precio en 48 horas, o la de su pago padre).
admin-orphan-assign-hint = Cualquier otra factura: <code>/assign { $id } &lt;id de factura&gt;</code>
admin-btn-assign = ➡ Factura { $invoice } · { $price } · { $status }
admin-btn-release = ▶️ Liberar
admin-btn-dismiss = 🗑 Descartar…
admin-orphan-dismiss-pick = 🗑 ¿Por qué descartar el pago <code>{ $id }</code>? No se concede ni se paga nada por él.
admin-dismiss-reason-duplicate = Duplicado de otro pago
admin-dismiss-reason-refunded = Reembolsado fuera de TelePay
admin-dismiss-reason-test = Una prueba o un error
admin-dismiss-reason-not-ours = No es nuestro
admin-assign-usage = Uso: <code>/assign &lt;id de pago&gt; &lt;id de factura&gt;</code> (nuestro id de pago o el de NOWPayments, y nuestro id de factura). No se cambió nada.
admin-review-payment = pago <code>{ $id }</code> (NOWPayments <code>{ $np }</code>): { $status }, pagado { $paid } de { $asked }, recibido { $outcome }
admin-review-invoice = factura <code>{ $id }</code> del usuario <code>{ $user }</code>: { $channel }, { $plan }, { $price }, { $status }
admin-review-plan-days = { $days } días
admin-review-plan-donation = donación
admin-review-plan-topup = complemento
admin-effect-grant = concede { $days } días de { $channel } al usuario <code>{ $user }</code> (con la parte del dueño y la invitación)
admin-effect-donation = registra una donación de { $price } a { $channel } (la parte del dueño sigue)
admin-effect-topup = pagó de menos: ofrece al usuario <code>{ $user }</code> un complemento de { $missing }
admin-effect-wait = lo registra; el acceso llega cuando NOWPayments lo dé por terminado
admin-effect-close = lo registra como { $status } en la factura; no se concede nada
admin-effect-revalue = se concedió antes de retenerse: la concesión se mantiene y su valor se calcula de nuevo
admin-ask-assign =
    ➡ <b>Asignar</b> { $payment }
    a { $invoice }.
    Esto { $effect }.
admin-ask-release =
    ▶️ <b>Liberar</b> { $payment }
    retenido porque: { $reason }
    para { $invoice }.
    Esto { $effect }.
admin-ask-dismiss =
    🗑 <b>Descartar</b> { $payment }
    como: { $reason }. No se concede ni se paga nada por él; las notificaciones posteriores se guardan pero no mueven nada.
admin-assigned-now = ✅ Pago <code>{ $payment }</code> asignado a la factura <code>{ $invoice }</code>: { $effect }.
admin-released-now = ✅ Pago <code>{ $payment }</code> liberado: { $effect }.
admin-dismissed-now = ✅ Pago <code>{ $payment }</code> descartado ({ $reason }).
admin-review-no-payment = No existe ese pago.
admin-review-done = Este pago ya fue revisado: { $review }. No se cambió nada.
admin-review-not-waiting = Este pago no espera revisión. No se cambió nada.
admin-review-not-orphan = Este pago ya pertenece a una factura; solo se puede asignar un huérfano. No se cambió nada.
admin-review-not-held = Este pago no está retenido. No se cambió nada.
admin-review-no-invoice = No existe esa factura. No se cambió nada.
admin-review-invoice-closed = Esa factura está { $status }: no se le puede asignar un pago. No se cambió nada.
admin-review-amounts = Sus importes no pueden mover dinero: { $reason }. Descártelo o espere a que NOWPayments lo notifique de nuevo. No se cambió nada.

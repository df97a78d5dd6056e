# Operadores: /lookup, fichas de canal y de usuario, detener las ventas de un canal, reenviar una invitación
admin-lookup-none = 🔎 Nada encontrado para <code>{ $query }</code>.
admin-lookup-more = … { $count } más
admin-lookup-nothing = —
admin-lookup-gone = 🔎 No encontrado (puede haberse eliminado).
admin-lookup-user =
    👤 <b>Usuario</b> <code>{ $id }</code> { $name }
    Idioma: { $lang } · canales propios: { $owned }
admin-lookup-subscriptions = Suscripciones (canal, estado → vencimiento)
admin-lookup-invoices = Facturas
admin-lookup-payments = Pagos
admin-lookup-grants = Concesiones (días, vencimiento anterior → nuevo)
admin-lookup-invites = Enlaces de invitación
admin-lookup-balance = Saldo pendiente (por estado)
admin-lookup-payouts = Pagos al propietario
admin-lookup-events = Eventos del pago (IPN)
admin-lookup-money = Acceso y dinero
admin-lookup-applied = aplicado
admin-lookup-not-applied = no aplicado
admin-lookup-state-on-sale = 🟢 a la venta
admin-lookup-state-owner-paused = ⏸ pausado por el propietario
admin-lookup-state-admin-paused = ⛔ detenido por el operador
admin-lookup-state-rights-lost = ⚠️ el bot perdió sus permisos
admin-lookup-state-deleted = 🗑 eliminado
admin-lookup-channel =
    📣 <b>Canal</b> <code>{ $id }</code> <b>{ $title }</b>
    Propietario: { $owner }
    Código: <code>{ $code }</code> · chat <code>{ $chat }</code> · { $mode }
    Planes: { $plans }
    Cobro: { $payout } · { $strategy }
    Estado: { $state }
    Suscriptores activos: { $active }
admin-lookup-invoice =
    🧾 <b>Factura</b> <code>{ $id }</code> ({ $kind }), { $created }
    Usuario <code>{ $user }</code> · canal { $channel }
    { $days } días · { $price } · estado <b>{ $status }</b> · factura NOWPayments <code>{ $np }</code>
admin-lookup-payment =
    💳 <b>Pago</b> <code>{ $id }</code> · NOWPayments <code>{ $np }</code>
    Factura: { $invoice } · estado <b>{ $status }</b> · { $created }
    Pagado: { $paid } · resultado: { $outcome }
    Valor { $value } = comisión { $fee } + propietario { $owner }
admin-lookup-held = ⚠️ Retenido: { $reason }
admin-lookup-orphan = ⚠️ Huérfano: { $reason }
admin-lookup-review = 🧐 Revisión: { $review } ({ $reason })
admin-lookup-tx =
    ⛓ <b>Transacción de la billetera</b> <code>{ $hash }</code>
    Estado <b>{ $state }</b> · nonce { $nonce } · cadena { $chain } · { $created }
    { $amount } de { $asset } a <code>{ $to }</code>
admin-lookup-for-payout = Para el pago al propietario:
admin-lookup-for-conversion = Para la conversión:
admin-lookup-payout-tx = 💸 <b>Transacción del pago</b> (al propietario):
admin-btn-user-card = 👤 Ficha del usuario
admin-btn-owner = 👤 Propietario
admin-btn-channel = 📣 Canal
admin-btn-resend-invite = 🔗 Reenviar invitación: { $channel }
admin-btn-pause-channel = ⛔ Detener las ventas del canal
admin-btn-resume-channel = ▶️ Reanudar las ventas del canal
admin-ask-pause-channel = ⛔ <b>Detener las ventas de { $channel }</b>: se rechazan compras nuevas, renovaciones y donaciones, y sus enlaces dicen que las ventas están en pausa. Los miembros actuales conservan el acceso hasta que venzan sus suscripciones. El propietario ve «detenido por el operador» y no puede levantarlo; solo un operador puede.
admin-ask-resume-channel = ▶️ <b>Reanudar las ventas de { $channel }</b>: se levanta la detención del operador. El canal vuelve a vender salvo que su propietario también lo haya pausado (esa pausa sigue siendo del propietario).
admin-channel-paused-now = ⛔ Las ventas de <b>{ $channel }</b> están detenidas por el operador.
admin-channel-resumed-now = ▶️ Se levantó la detención del operador en <b>{ $channel }</b>.
admin-channel-already-paused = Las ventas de <b>{ $channel }</b> ya están detenidas por un operador.
admin-channel-not-paused = Las ventas de <b>{ $channel }</b> no están detenidas por un operador.
admin-ask-resend-invite = 🔗 <b>Reenviar una invitación</b> a { $user } para <b>{ $channel }</b> (suscripción hasta { $expires }, { $mode }): se revocan sus { $links } enlaces no revocados y recibe un enlace personal nuevo por mensaje directo. Los miembros que ya están en el canal siguen dentro.
admin-invite-resent = 🔗 Una invitación nueva a <b>{ $channel }</b> va en camino al suscriptor.
admin-invite-recently = Ya se reenvió una invitación a <b>{ $channel }</b> hace menos de un minuto; no se envió nada más.
admin-invite-not-possible = No se puede enviar una invitación para <b>{ $channel }</b>: la suscripción no está activa o venció, o el canal fue eliminado o el bot perdió sus permisos.
own-status-admin-paused = ⛔ ventas detenidas por el operador (contacta con soporte)

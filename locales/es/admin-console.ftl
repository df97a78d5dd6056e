# Operators: the console's shared parts (confirmation, paging, menu buttons)
cmd-lookup = Operadores: buscar usuario, canal, factura, pago o transacción
admin-btn-payouts = 💸 Pagos a dueños
admin-btn-orphans = 🧾 Pagos por revisar
admin-btn-lookup = 🔎 Buscar
admin-lookup-help =
    🔎 <b>Buscar</b>: envía <code>/lookup</code> y uno de
    • un id de usuario de Telegram o @username
    • el id, código o @username de un canal
    • un id de factura, un id de pago (nuestro o de NOWPayments) o un hash de transacción
admin-btn-prev = ◀ Más recientes
admin-btn-next = Anteriores ▶
admin-confirm-question = ¿Lo hago?
admin-btn-confirm = ✅ Confirmar
admin-btn-cancel = ✖ Cancelar
admin-ask-pause = ⏸ <b>Pausar todos los pagos</b>: ningún pago, conversión ni transferencia de la billetera empezará hasta que un operador los reanude. Se siguen aceptando pagos y dando acceso.
admin-ask-resume = ▶️ <b>Reanudar los pagos</b>: los pagos, conversiones y transferencias en espera vuelven a mover dinero de inmediato.
admin-ask-retry-job = 🔁 <b>Reintentar la tarea</b> { $id } ({ $kind }, { $attempts } intentos hasta ahora) con un nuevo margen de reintentos. Su último error: { $error }
admin-paused-now = ⏸ Todos los pagos están pausados.
admin-resumed-now = ▶️ Los pagos vuelven a funcionar.
admin-already-paused = Los pagos ya están pausados.
admin-already-running = Los pagos ya están funcionando.
access-resent-request =
    🔁 Aquí tienes una nueva invitación a <b>{ $channel }</b>; tu acceso está activo hasta { $expires }. Los enlaces enviados antes ya no funcionan.

    Toca el botón y envía la solicitud para unirte; la apruebo al momento.
access-resent-link =
    🔁 Aquí tienes una nueva invitación a <b>{ $channel }</b>; tu acceso está activo hasta { $expires }. Los enlaces enviados antes ya no funcionan.

    Toca el botón para unirte. El enlace es personal y funciona una vez.

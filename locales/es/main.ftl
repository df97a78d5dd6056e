# Textos del bot TelePay, español.

start-welcome =
    👋 ¡Hola, { $name }!

    <b>TelePay</b> vende acceso a canales privados de Telegram a cambio de criptomonedas.
    Los suscriptores abren el enlace del canal, eligen un plan y pagan con cualquier moneda; los propietarios cobran automáticamente.

    Elige qué hacer:
menu-language = 🌐 Idioma
menu-help = ❓ Ayuda

help-text =
    <b>Cómo funciona TelePay</b>

    • <b>Suscriptores</b>: abre el enlace que compartió el propietario del canal, elige un plan, paga la factura con la moneda que prefieras y el bot te enviará tu invitación personal.
    • <b>Propietarios de canales</b>: registra un canal privado, define los planes y una billetera de cobro, y comparte el enlace. Los pagos se envían a tu billetera, menos una comisión de plataforma del { $fee }%.

    Comandos:
    /start — menú principal
    /language — cambiar el idioma
    /help — esta ayuda

language-choose = 🌐 Elige tu idioma:
language-set = ✅ Idioma cambiado a { $language }.

unknown-command = No te he entendido. Envía /help para ver lo que puedo hacer.
error-generic = ⚠️ Algo salió mal por nuestra parte. Inténtalo de nuevo en un minuto.
callback-expired = Este botón ya no es válido.

cmd-start = Menú principal
cmd-help = Cómo funciona TelePay
cmd-language = Cambiar el idioma

# Compra de suscripción
link-invalid = Este enlace no es válido. Pide uno nuevo al propietario del canal.
channel-paused = Las ventas de <b>{ $channel }</b> están pausadas ahora mismo. Inténtalo más tarde.
channel-card =
    <b>{ $channel }</b>
    { $description }

    Elige un plan:
tier-button = { $medal } { $price } · { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
tier-gone = Este plan ya no está disponible. Abre de nuevo el enlace del canal para ver los planes actuales.
invoice-created =
    🧾 <b>{ $channel }</b> — { $price } por { $days ->
        [one] { $days } día
       *[other] { $days } días
    }.

    Paga con cualquier moneda en la página de pago. Actualizaré este mensaje a medida que llegue el pago.
invoice-pay-button = 💳 Pagar { $price }
invoice-failed = ⚠️ El proveedor de pagos no responde. No se ha cobrado nada; inténtalo de nuevo en un minuto.

# Acceso
access-granted-request =
    ✅ ¡Pago recibido! Tu acceso a <b>{ $channel }</b> está activo hasta el { $expires }.

    Pulsa el botón y envía la solicitud de unión; la apruebo al instante.
access-granted-link =
    ✅ ¡Pago recibido! Tu acceso a <b>{ $channel }</b> está activo hasta el { $expires }.

    Pulsa el botón para unirte. El enlace es personal y sirve una sola vez.
access-join-button = 🚪 Unirme al canal
owner-rights-lost = ⚠️ Ya no puedo invitar ni expulsar miembros en <b>{ $channel }</b>, así que sus ventas están pausadas. Vuelve a nombrarme administrador con los permisos «Invitar usuarios» y «Expulsar usuarios» para reanudarlas.

# Progreso del pago (un mensaje que se edita)
status-waiting = ⏳ Esperando tu pago.
status-confirming = 🔎 Pago visto en la blockchain, esperando confirmaciones.
status-confirmed = ✅ Pago confirmado, terminando…
status-finished = 🎉 Pagado por completo. Tu acceso está en camino.
status-partially_paid = ⚠️ El pago fue menor que el precio. Te enviaré una factura por la diferencia.
status-failed = ❌ El pago falló. No se concedió nada; puedes empezar de nuevo desde el enlace del canal.
status-expired = ⌛ El pago caducó antes de recibir fondos. Abre el enlace del canal para empezar de nuevo.
status-refunded = ↩️ El pago fue reembolsado.
pay-page-title = Pago de { $channel }
pay-page-back = Volver al bot

# Renovación y vencimiento
subscription-reminder = ⏰ Tu acceso a <b>{ $channel }</b> termina el { $expires }. Renueva ahora para mantenerlo; los días que pagues antes se suman.
subscription-expired = Tu acceso a <b>{ $channel }</b> ha terminado. Puedes volver cuando quieras:
renew-button = 🔄 Renovar

# Comandos del suscriptor
subscriptions-none = No tienes suscripciones activas.
subscriptions-title = <b>Tus suscripciones</b>
subscriptions-line = • <b>{ $channel }</b> — hasta el { $expires }
subscriptions-renew = 🔄 Renovar { $channel }
access-reissued = 🔑 Un nuevo enlace personal para <b>{ $channel }</b>. Tu enlace anterior ya no funciona.
status-none = Aún no tienes pagos.
status-title = <b>Tus pagos recientes</b>
status-line = • <b>{ $channel }</b>, { $price }: { $state }
cmd-subscriptions = Mis suscripciones
cmd-access = Nuevo enlace de invitación
cmd-status = Estado del pago

# Donaciones
donation-ask = 💝 ¿Cuánto quieres donar a <b>{ $channel }</b>? Envía una cantidad en dólares, de { $min } a { $max } (por ejemplo 5 o 12.50). /cancel para parar.
donation-invalid = Envía una cantidad de { $min } a { $max } con dos decimales como máximo, por ejemplo 5 o 12.50.
donation-created = 💝 Donación para <b>{ $channel }</b>: { $price }. Paga con cualquier moneda en la página de pago. ¡Gracias!
cancelled = Cancelado.
topup-offer = ⚠️ A tu pago le faltaron { $missing } para el precio. Paga la diferencia para obtener acceso; ambos pagos cuentan juntos.
owner-donation = 💝 Nueva donación para <b>{ $channel }</b>: { $price }.

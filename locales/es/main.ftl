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

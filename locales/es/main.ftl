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
flood-slow-down = ⏳ Envías mensajes más rápido de lo que puedo responder, así que me he saltado algunos. Espera unos segundos y vuelve a enviarlos.

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
donation-ask = 💝 ¿Cuánto quieres donar a <b>{ $channel }</b>? Envía una cantidad en dólares, de { $min } a { $max } (por ejemplo 5 o 12,50). /cancel para parar.
donation-invalid = Envía una cantidad de { $min } a { $max }.
donation-created = 💝 Donación para <b>{ $channel }</b>: { $price }. Paga con cualquier moneda en la página de pago. ¡Gracias!
cancelled = Cancelado.
topup-offer = ⚠️ A tu pago le faltaron { $missing } para el precio. Paga la diferencia para obtener acceso; ambos pagos cuentan juntos.
owner-donation = 💝 Nueva donación para <b>{ $channel }</b>: { $price }.

# Propietarios de canales: menú y comandos
menu-add-channel = ➕ Añadir un canal
menu-my-channels = 📋 Mis canales
menu-balance = 💰 Saldo y cobros
cmd-addchannel = Registrar un canal
cmd-channels = Mis canales
cmd-balance = Saldo y cobros

# Registro
own-add-intro =
    ➕ <b>Añadir un canal</b>

    Pulsa el botón de abajo y elige tu canal privado: Telegram me nombrará administrador con los permisos que necesito (invitar usuarios, bloquear usuarios, publicar mensajes).

    O bien añade a @{ $bot } al canal como administrador y reenvíame cualquier publicación del canal.
    /cancel para parar.
own-add-button = 📢 Elegir mi canal
own-add-waiting = Elige el canal con el botón de abajo o reenvíame una publicación suya. /cancel para parar.
own-verify-not-channel = Ese chat no es un canal. Elige un canal.
own-verify-bot-not-admin = No soy administrador de ese canal. Añádeme como administrador con los permisos «Invitar usuarios» y «Bloquear usuarios» y vuelve a elegirlo.
own-verify-bot-rights = Soy administrador de ese canal, pero sin los permisos «Invitar usuarios» y «Bloquear usuarios». Dame los dos y vuelve a elegir el canal.
own-verify-user-not-admin = Solo el creador o un administrador del canal puede registrarlo.
own-verify-taken = Otro propietario ya registró este canal.
own-verify-already-yours = Ya registraste este canal. Ábrelo en /channels.
own-verify-limit = Has alcanzado el límite de { $max } canales.
own-channel-found = ✅ He encontrado <b>{ $channel }</b>. Ahora, los planes de suscripción.
own-ask-price = Plan { $n }: envía el precio en dólares, de { $min } a { $max } (por ejemplo 9,99).
own-bad-price = Envía un precio de { $min } a { $max }.
own-ask-days =
    ✅ Precio del plan { $n }: { $price }.
    Plan { $n }: ¿cuántos días dura? Envía un número entero de 1 a 3650.
own-bad-days = Envía un número entero de días de 1 a 3650.
own-tier-line = { $medal } { $price } — { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
own-more-tiers =
    Tus planes hasta ahora:
    { $tiers }

    ¿Añades otro plan o pasas a los ajustes de cobro?
own-tiers-done =
    Tus planes:
    { $tiers }
own-too-many-tiers = Como máximo { $max } planes por canal.
own-btn-add-tier = ➕ Añadir un plan
own-btn-tiers-done = ➡️ Listo
own-use-buttons = Usa los botones de arriba o /cancel para parar.
own-ask-currency = 💱 ¿En qué moneda y red quieres cobrar? (página { $page } de { $pages })
own-ask-address = Envía la dirección de tu billetera de <b>{ $currency }</b> en la red <b>{ $network }</b>. Solo la dirección pública: nunca una clave privada ni una frase semilla.
own-address-secret = ⛔ Eso parece una clave privada o una frase semilla. No la he guardado. Nunca la compartas con nadie: quien la tenga controla tu billetera. En su lugar, envía la dirección pública de tu billetera.
own-address-wrong-network = Eso parece una dirección de { $detected }, no de { $network }. Envía una dirección de la red { $network }.
own-address-bad-checksum = Esa dirección tiene un error: su suma de verificación no coincide. Cópiala de nuevo desde tu billetera ({ $network }).
own-address-bad-format = Esa no es una dirección válida de { $network }. Cópiala de nuevo desde tu billetera.
own-ask-extra = Esta red puede necesitar un { $name }. Envíalo o pulsa el botón si tu billetera no lo usa.
own-btn-skip-extra = No necesito memo
own-bad-extra = Ese memo o etiqueta no es válido para esta red. Envíalo de nuevo o pulsa «No necesito memo».
own-ask-strategy =
    ¿Cómo quieres cobrar?
    • <b>Al instante</b>: cada pago se convierte a tu moneda y se envía enseguida (con comisiones de red en cada pago).
    • <b>Por umbral</b>: los pagos se acumulan en USDT y se envían juntos cuando llegan a tu umbral (mínimo { $min }), lo que ahorra comisiones.
    La comisión de la plataforma es del { $fee }% de cada pago.
own-btn-instant = ⚡ Al instante
own-btn-threshold = 🎯 Por umbral
own-ask-threshold = Envía el umbral en dólares, como mínimo { $min } (por ejemplo 50).
own-bad-threshold = Envía un umbral de al menos { $min }.
own-strategy-instant = al instante
own-strategy-threshold = por umbral de { $threshold }
own-summary =
    <b>Revisa y confirma</b>

    Canal: <b>{ $channel }</b>
    Planes:
    { $tiers }
    Cobro: { $currency } en { $network }
    Billetera: <code>{ $address }</code>
    Memo: { $extra }
    Modo de cobro: { $strategy }
own-summary-payout =
    <b>Nuevos ajustes de cobro</b>{ $channel }

    Cobro: { $currency } en { $network }
    Billetera: <code>{ $address }</code>
    Memo: { $extra }
    Modo de cobro: { $strategy }

    El dinero que ya está pendiente se envía a la billetera para la que se ganó.
own-btn-confirm = ✅ Confirmar
own-btn-abort = ✖️ Cancelar
own-aborted = Cancelado. No se ha guardado nada.
own-registered =
    🎉 <b>{ $channel }</b> está registrado y a la venta.

    Comparte estos enlaces:
    { $links }
own-btn-post = 📣 Publicar la oferta en un canal
own-btn-open = ⚙️ Gestionar el canal
own-bot-added = Me han añadido como administrador de <b>{ $channel }</b>. ¿Quieres vender acceso a este canal?
own-btn-register = ➕ Registrar este canal

# Mis canales
own-no-channels = Aún no tienes canales.
own-list-title = 📋 Tus canales:
own-not-found = Este canal no está disponible.
own-card =
    <b>{ $channel }</b> — { $status }

    Planes:
    { $tiers }
    Cobro: { $currency } en { $network }
    Billetera: <code>{ $address }</code>
    Modo de cobro: { $strategy }
    Acceso: { $mode }
    Avisos de pagos: { $notify }
own-status-on-sale = 🟢 a la venta
own-status-paused = ⏸ ventas pausadas
own-status-rights-lost = ⚠️ ventas pausadas: perdí mis permisos de administrador
own-mode-join-request = solicitud de unión aprobada por el bot
own-mode-one-time-link = enlace de invitación de un solo uso
own-on = activados
own-off = desactivados
own-btn-balance = 💰 Saldo
own-btn-links = 🔗 Enlaces
own-btn-edit-tiers = ✏️ Planes
own-btn-edit-payout = 💱 Cobro
own-btn-edit-title = ✏️ Título
own-btn-edit-desc = ✏️ Descripción
own-btn-pause = ⏸ Pausar ventas
own-btn-resume = ▶️ Reanudar ventas
own-btn-notify-on = 🔔 Avisarme de pagos
own-btn-notify-off = 🔕 Silenciar avisos de pagos
own-btn-mode = 🔁 Modo de acceso
own-btn-delete = 🗑 Eliminar
own-btn-delete-confirm = 🗑 Sí, eliminar
own-btn-back = ⬅️ Atrás
own-links =
    🔗 Enlaces de <b>{ $channel }</b>:
    { $links }
own-ask-tiers-edit =
    Envía los nuevos planes, uno por línea con el formato «precio días», como máximo { $max } líneas y precios desde { $min }. Por ejemplo:
    9.99 30
    24.99 90
    Los suscriptores actuales renuevan al precio al que compraron. /cancel para parar.
own-tiers-bad-line = La línea { $line } no tiene el formato «precio días» con un precio de { $min } a { $max } y de 1 a 3650 días.
## Cantidades que escribe una persona (precios, umbral, donaciones): por qué se rechazó una y qué formas se aceptan.
own-tiers-bad-price = Línea { $line }: el precio no es válido.
amount-not-a-number = ⚠️ Eso no parece una cantidad.
amount-ambiguous = ⚠️ Esa cantidad se puede leer de dos maneras: no se aceptan separadores de miles (1,000 · 1.000 · 1 000). Escribe los dólares sin separadores y los centavos tras un solo punto o coma.
amount-negative = ⚠️ La cantidad no puede ser negativa.
amount-zero = ⚠️ La cantidad debe ser mayor que cero.
amount-too-precise = ⚠️ Como máximo dos decimales (centavos enteros).
amount-below-min = ⚠️ Eso está por debajo del mínimo.
amount-above-max = ⚠️ Eso supera el máximo.
amount-forms = Formas aceptadas: <code>1000</code> · <code>1000,50</code> · <code>1000.50</code> · <code>$5</code> · <code>5 usd</code>. Sin separadores de miles.
own-use-format = Envía un plan por línea con el formato «precio días», o /cancel para parar.
own-tiers-saved = ✅ Planes guardados. Los nuevos precios se aplican a las compras nuevas; los suscriptores renuevan al precio al que compraron.
own-ask-title = Envía el nuevo título que verán los compradores (hasta { $max } caracteres).
own-ask-description = Envía la nueva descripción que verán los compradores (hasta { $max } caracteres).
own-text-too-long = Envía un texto de 1 a { $max } caracteres.
own-saved = ✅ Guardado.
own-payout-saved = ✅ Ajustes de cobro guardados. Los pagos nuevos se envían a la nueva billetera.
own-delete-ask = ¿Eliminar <b>{ $channel }</b>? Las ventas se detienen y sus enlaces dejan de funcionar. Los suscriptores actuales conservan el acceso hasta que caduque.
own-deleted = 🗑 <b>{ $channel }</b> se ha eliminado.
own-delete-refused = Todavía tienes dinero en camino por este canal. Podrás eliminarlo cuando se haya cobrado todo; mientras tanto, pausa las ventas.

# Mensaje de oferta
own-offer-ask = Elige el canal público donde debo publicar la oferta (tengo que ser administrador allí con permiso para publicar) o reenvíame una publicación suya. /cancel para parar.
own-offer-button = 📣 Elegir un canal público
own-offer-waiting = Elige el canal con el botón de abajo o reenvíame una publicación suya. /cancel para parar.
own-offer-not-admin = No puedo publicar en ese canal. Nómbrame administrador con el permiso «Publicar mensajes» y vuelve a intentarlo.
own-offer-failed = ⚠️ No pude publicar la oferta. Tu oferta anterior, si la había, sigue ahí.
own-offer-posted = ✅ La oferta está publicada.
own-offer-text =
    <b>{ $channel }</b>
    { $description }

    Elige un plan para suscribirte:

# Saldo y cobros
own-figures =
    Ingresos: { $revenue } (pagos: { $payments })
    Comisiones de la plataforma: { $fees }
    Suscriptores activos: { $subscribers }
    Pendiente de cobro: { $pending }
    Cobrado: { $paid }
own-balance-total =
    💰 <b>Todos los canales ({ $count })</b>

    { $figures }
own-balance-channel =
    💰 <b>{ $channel }</b>

    { $figures }
own-progress = Progreso hacia el umbral: { $pending } / { $threshold } ({ $percent }%)
own-eta = Al ritmo de los últimos 30 días, el próximo cobro llegaría hacia el { $date }.
own-eta-now = Ya alcanzaste el umbral: el cobro sale con el próximo envío.
own-eta-unknown = No hay pagos en los últimos 30 días, así que aún no podemos estimar el próximo cobro.
own-unvalued = Hay pagos recientes ({ $count }) que aún se están valorando y todavía no aparecen en estas cifras.
own-btn-history = 🧾 Historial de cobros
own-btn-csv = 📄 Exportar CSV
own-history-empty = Aún no hay cobros.
own-history =
    🧾 <b>Cobros de { $channel }</b>
    { $lines }
own-history-line = { $date }: { $amount } ({ $usd }) — { $state }
own-payout-state-sent = ✅ enviado
own-payout-state-failed = ⚠️ fallido
own-payout-state-cancelled = ✖️ cancelado
own-payout-state-pending = ⏳ en curso
own-statement =
    🧾 <b>Cobro n.º { $id }</b> — { $date } — { $state }

    Pagos incluidos:
    { $items }

    Bruto: { $gross }
    Comisión de la plataforma: { $fees }
    Neto para ti: { $net }
    Enviado: { $amount } en { $network }
    Tipo de cambio: { $rate }
    Transacción: <code>{ $tx }</code>
    { $link }
own-statement-item = • { $date }: { $value } − comisión { $fee } = { $owner }
own-csv-caption = 📄 Pagos y cobros de <b>{ $channel }</b>.

# Avisos para propietarios
owner-new-payment = 💸 Nuevo pago para <b>{ $channel }</b>: { $price } por { $days } días.
owner-threshold-crossed = 🎯 <b>{ $channel }</b> alcanzó tu umbral de cobro: { $pending } de { $threshold }. El cobro está en camino.
owner-payout-sent =
    ✅ Cobro de <b>{ $channel }</b> enviado: { $amount } { $currency } en { $network }.
    Transacción: <code>{ $tx }</code>
    { $link }
owner-payout-failed-retrying = ⚠️ Un cobro de { $amount } de <b>{ $channel }</b> no se completó. No se pierde nada: lo reintentamos automáticamente y te avisamos cuando se envíe.
owner-payout-failed-review = ⚠️ Un cobro de { $amount } de <b>{ $channel }</b> falló y nuestro equipo tiene que revisarlo a mano. No se pierde nada: el dinero se queda en tu saldo hasta que se cobre.
owner-payout-deferred-min = ⏳ { $amount } de <b>{ $channel }</b> no llega al mínimo del servicio de cambio ({ $minimum }), así que espera en tu saldo y sale con el próximo cobro.
owner-payout-deferred = ⏳ { $amount } de <b>{ $channel }</b> no llega al mínimo del servicio de cambio, así que espera en tu saldo y sale con el próximo cobro.
owner-rights-restored = ✅ He recuperado mis permisos de administrador en <b>{ $channel }</b>: las ventas vuelven a estar activas.
owner-wallet-changed = 💱 La billetera de cobro de <b>{ $channel }</b> ahora es { $currency } en { $network }: <code>{ $address }</code>. Si no hiciste este cambio, contacta con soporte de inmediato.

# Operadores
cmd-admin = Menú de operador
admin-menu =
    🛠 <b>Menú de operador</b>

    Cobros: { $paused }
    Tareas fallidas: { $failed }
    Alertas abiertas: { $alerts }
    Cola de pagos: { $payouts_pending } en curso, { $payouts_stuck } atascados, { $payouts_failed } fallidos
    Pagos por revisar: { $review }
    Billetera de la plataforma: <code>{ $wallet }</code>
    Saldo: { $balance }
admin-paused = ⏸ en pausa (interruptor de emergencia activo)
admin-running = ▶️ en marcha
admin-btn-pause = ⏸ Pausar todos los cobros
admin-btn-resume = ▶️ Reanudar los cobros
admin-btn-jobs = 🧯 Tareas fallidas
admin-btn-alerts = 🚨 Alertas
admin-btn-audit = 🧮 Auditoría del dinero
admin-no-failed-jobs = No hay tareas fallidas.
admin-failed-jobs =
    🧯 <b>Tareas fallidas</b> (las más nuevas primero). Reintenta una cuando su causa esté resuelta:
    { $lines }
admin-job-retried = 🔁 La tarea vuelve a estar en cola.
admin-job-not-failed = Esa tarea no está (ya) fallida.
admin-no-alerts = No hay alertas abiertas.
admin-alerts =
    🚨 <b>Alertas abiertas</b>:
    { $lines }
admin-alert-resolved = ✔ Alerta marcada como atendida.
admin-alert-not-open = Esa alerta ya está atendida.
admin-btn-log = 📜 Registro de acciones
admin-btn-log-csv = 📄 CSV
admin-log-empty = El registro de acciones está vacío: ningún operador ha cambiado nada todavía.
admin-log =
    📜 <b>Registro de acciones</b>, acciones { $from }–{ $to } (las más recientes primero; cuándo, quién, qué, objeto: antes → después):
    { $lines }
admin-log-csv-caption = 📄 El registro de acciones: { $count } acciones.
admin-btn-stats-today = 📊 Hoy
admin-btn-stats-week = 📊 7 días
admin-btn-stats-month = 📊 30 días
admin-stats-none = ninguno
admin-stats =
    📊 <b>{ $days ->
        [one] El último día
       *[other] Los últimos { $days } días
    }</b>

    Ingresos: { $revenue } (comisiones de la plataforma { $fees })
    Pagos: { $payments }
    Suscripciones: { $active } activas, { $new } nuevas, { $ended } terminadas
    Pagos pendientes por canal:
    { $pending }
    Trabajos fallidos: { $failed } · alertas abiertas: { $alerts }

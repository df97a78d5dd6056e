# Difusiones (issue 15)

# Propietario
bc-btn = 📣 Difusión
bc-title = 📣 <b>Difusión a los suscriptores de { $channel }</b>

    ¿Quién debe recibir el mensaje?
bc-btn-active = 👥 Suscriptores activos ({ $count })
bc-btn-lapsed = 🔄 Suscriptores vencidos (recuperación)
bc-ask-days = ¿Cuántos días atrás? Escribiré a los suscriptores cuya suscripción terminó en esos últimos días, con un botón para renovar. Envía un número del 1 al { $max }.
bc-days-bad = Envía un número entero de días del 1 al { $max }.
bc-who-active = { $count ->
        [one] { $count } suscriptor activo
       *[other] { $count } suscriptores activos
    }
bc-who-lapsed = { $count ->
        [one] { $count } suscriptor
       *[other] { $count } suscriptores
    } cuya suscripción terminó en { $days ->
        [one] el último día
       *[other] los últimos { $days } días
    }
bc-ask-message = El mensaje llegará a { $who }.

    Envíalo ahora: texto (hasta { $max_text } caracteres) o una foto con pie (hasta { $max_caption } caracteres). /cancel para salir.
bc-message-kind = Envía texto, o una foto con pie.
bc-message-long = Tiene { $length } caracteres; el límite es { $max }. Envía un mensaje más corto.
bc-confirm = ☝️ Así lo verán los suscriptores. ¿Enviarlo a { $count ->
        [one] { $count } suscriptor
       *[other] { $count } suscriptores
    } de <b>{ $channel }</b>?
bc-btn-send = ✅ Enviar a { $count }
bc-btn-cancel = ✖️ Cancelar
bc-started = 📣 Enviando a { $count ->
        [one] { $count } suscriptor
       *[other] { $count } suscriptores
    } de <b>{ $channel }</b>. Te aviso cuando termine.
bc-not-draft = Esta difusión ya se envió o se canceló.
bc-nobody = Nadie recibiría esta difusión ahora, así que no se envió nada.
bc-cancelled = Difusión cancelada; no se envió nada.
bc-daily-limit = <b>{ $channel }</b> ya tuvo una difusión en las últimas 24 horas (a las { $last }). Una difusión por canal al día: la próxima es posible después de { $next }.
bc-report = 📣 La difusión a <b>{ $channel }</b> terminó: entregados { $delivered }, bloqueados { $blocked }, fallidos { $failed }.

# Suscriptor
bc-header = 📣 <b>{ $channel }</b>
bc-renew-button = 🔄 Renovar suscripción
bc-stop-button = 🔕 No recibir mensajes de este canal
bc-optout-off = 🔕 Ya no recibirás difusiones de <b>{ $channel }</b>.
bc-optout-on = 🔔 Las difusiones de <b>{ $channel }</b> vuelven a estar activas.
bc-optout-on-button = 🔔 Volver a recibir mensajes

# Operador
bc-admin-btn-lift = 📣 Quitar el límite diario de difusiones
bc-admin-ask-lift = ¿Quitar el límite diario de difusiones de <b>{ $channel }</b>? Su última difusión salió a las { $last }; el propietario podría enviar otra ahora mismo. Los suscriptores pueden seguir desactivando las difusiones.
bc-admin-lifted = ✅ Se quitó el límite diario de difusiones de <b>{ $channel }</b>: el propietario puede difundir de nuevo ahora.
bc-admin-not-limited = <b>{ $channel }</b> no tiene un límite de difusiones vigente: el propietario puede difundir ahora. No cambió nada.

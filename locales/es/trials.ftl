# Pruebas gratis (issue 15)

# Suscriptor
trial-button = 🎁 { $medal } Prueba { $days ->
        [one] { $days } día
       *[other] { $days } días
    } gratis
trial-started = 🎁 Tu prueba gratis de <b>{ $channel }</b> ha empezado: { $days ->
        [one] { $days } día
       *[other] { $days } días
    }, hasta el { $expires }. Tu invitación llega en el siguiente mensaje.
trial-refused-used = Ya usaste tu prueba gratis de <b>{ $channel }</b>. Elige un plan para suscribirte.
trial-refused-subscribed = Ya tienes acceso a <b>{ $channel }</b>; la prueba gratis es para nuevos suscriptores.
trial-unavailable = Esta prueba gratis ya no está disponible. Abre de nuevo el enlace del canal para ver los planes actuales.
trial-access-request =
    🎁 ¡Prueba gratis iniciada! Tu acceso a <b>{ $channel }</b> está activo hasta el { $expires }.

    Pulsa el botón y envía la solicitud de unión; la apruebo al instante.
trial-access-link =
    🎁 ¡Prueba gratis iniciada! Tu acceso a <b>{ $channel }</b> está activo hasta el { $expires }.

    Pulsa el botón para unirte. El enlace es personal y funciona una vez.

trial-reminder = ⏰ Tu prueba gratis de <b>{ $channel }</b> termina el { $expires }. Suscríbete ahora para mantener el acceso; los días pagados empiezan al terminar la prueba.
trial-expired = Tu prueba gratis de <b>{ $channel }</b> ha terminado. Suscríbete para volver:
trial-buy-button = 💳 Suscribirme

# Propietario
owner-trial-started = 🎁 Un nuevo suscriptor empezó una prueba gratis de { $days } días en <b>{ $channel }</b>.
own-btn-trials = 🎁 Pruebas gratis
own-trials-title =
    🎁 <b>Pruebas gratis de { $channel }</b>

    Un nuevo suscriptor puede probar un plan gratis, una vez por canal, y sale al final si no paga. Elige un plan para poner o quitar su prueba:
own-trial-none = sin prueba
own-trial-days = prueba de { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
own-trial-plan = { $plan }: { $trial }
own-trial-ask = ¿Cuántos días de prueba gratis para { $plan } de <b>{ $channel }</b>? Envía un número del 1 al { $max }, o 0 para quitar la prueba.
own-trial-bad = Envía un número entero de días del 0 al { $max } (0 quita la prueba). No se cambió nada.
own-trial-saved = ✅ { $plan }: prueba gratis de { $days ->
        [one] { $days } día
       *[other] { $days } días
    }.
own-trial-cleared = ✅ { $plan }: ya sin prueba gratis.
own-trials-card = 🎁 Pruebas gratis: { $list }
own-trials-stats = 🎁 Pruebas: iniciadas { $started }, convertidas { $converted }

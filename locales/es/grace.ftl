# Periodo de gracia (issue 15)

# Suscriptor
grace-started =
    ⏳ Tu suscripción a <b>{ $channel }</b> terminó el { $ended }. Conservas el acceso hasta el { $until }.

    Renueva ahora para quedarte: los nuevos días continúan desde el { $ended }.
subscriptions-grace-line = • <b>{ $channel }</b> — terminó el { $ended }, acceso hasta el { $until } (periodo de gracia)

# Propietario
own-btn-grace = ⏳ Periodo de gracia
own-grace-none = ninguno
own-grace-hours = { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }
own-grace-card = ⏳ Periodo de gracia: { $grace }
own-grace-ask =
    ⏳ <b>Periodo de gracia de { $channel }</b> (ahora: { $grace })

    Cuando termina una suscripción, avisamos al suscriptor y conserva el acceso durante el periodo de gracia; si renueva en ese tiempo, los días continúan desde el final original. Envía el número de horas de 1 a { $max }, o 0 para no dar gracia.
own-grace-bad = Envía un número entero de horas de 0 a { $max } (0 significa sin gracia). No se cambió nada.
own-grace-saved = ✅ <b>{ $channel }</b>: periodo de gracia de { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }.
own-grace-cleared = ✅ <b>{ $channel }</b>: sin periodo de gracia; los suscriptores salen cuando termina su tiempo.

# Operadores
admin-lookup-grace = gracia hasta el { $until }

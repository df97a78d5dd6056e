# Telegram Stars (issue 15)

# Subscriber
stars-button = ⭐ { $medal } Pagar { $stars } Stars · { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
stars-invoice-description = Acceso a { $channel } durante { $days ->
        [one] { $days } día
       *[other] { $days } días
    }.
stars-invoice-label = { $days ->
        [one] { $days } día
       *[other] { $days } días
    } de acceso
stars-unavailable = El pago con Stars no está disponible ahora para este plan. Abre de nuevo el enlace del canal para ver los planes actuales.
stars-refused-invalid = Esta factura no es válida. Abre de nuevo el enlace del canal para obtener una nueva.
stars-refused-expired = Esta factura ha caducado. Pulsa de nuevo el botón de Stars para obtener una nueva.
stars-refused-not-on-sale = Este canal no vende suscripciones en este momento.
stars-received-unmatched = ⭐ Recibimos tus Stars, pero no pudimos asociarlas a una factura. Los operadores ya lo saben y lo resolverán.
stars-statement-mark = ⭐ { $stars } Stars

# Owner
own-btn-stars = ⭐ Precios en Stars
own-stars-none = no se vende por Stars
own-stars-price = ⭐ { $stars } Stars
own-stars-plan = { $plan }: { $price }
own-stars-title =
    ⭐ <b>Precios en Stars de { $channel }</b>

    Los suscriptores también pueden pagar estos planes con Telegram Stars. Tu parte se valora a { $rate } USD por Star (después de la parte de Telegram); luego se descuenta la comisión de la plataforma y se paga como cualquier otro pago. Elige un plan:
own-stars-ask = Envía el precio de { $plan } en <b>{ $channel }</b> en Stars enteras (de 1 a { $max }), o 0 para dejar de venderlo por Stars. Una Star se valora en { $rate } USD.
own-stars-bad = Envía un número entero de Stars de 0 a { $max }.
own-stars-cleared = { $plan } ya no se vende por Stars.
own-stars-saved = ⭐ { $plan } ahora también se vende por { $stars } Stars (valorado en { $value } antes de la comisión de la plataforma).

# Operators
admin-stars-refund-button = ⭐ Reembolsar { $stars } Stars
admin-stars-share = La parte del propietario es { $owner }; lo que aún no se ha pagado se recupera.
admin-stars-share-none = El pago aún no está valorado; no hay parte del propietario que recuperar.
admin-stars-not-stars = Este no es un pago con Telegram Stars.
admin-stars-already = El pago con Stars { $id } ya está reembolsado. No cambió nada.
admin-stars-ask-refund =
    ⭐ <b>¿Reembolsar el pago con Stars { $id }?</b>

    { $stars } Stars vuelven al usuario <code>{ $user }</code> a través de Telegram, se retiran los días que compró este pago y el pago se marca como reembolsado. { $share }
admin-stars-refund-failed = Telegram rechazó el reembolso: { $error }. No cambió nada.
admin-stars-taken-back = Se recuperó la parte no pagada del propietario de { $owner }.
admin-stars-paid-out = ⚠️ La parte del propietario de { $owner } ya se pagó (o está en camino) y no se recuperó; se creó una alerta.
admin-stars-refunded = ✅ Pago con Stars { $id } reembolsado: { $stars } Stars devueltas, acceso retirado. { $share }

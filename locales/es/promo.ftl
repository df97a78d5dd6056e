# Promo codes (issue 15)

# Subscriber
promo-have-code = 🏷 Tengo un código
promo-ask = 🏷 Envía tu código promocional para <b>{ $channel }</b>.
promo-applied = 🏷 Código <b>{ $code }</b> aplicado: { $discount } de descuento. Elige un plan de <b>{ $channel }</b>:
promo-tier-button = 🏷 { $medal } { $price } (antes { $old }) · { $days ->
        [one] { $days } día
       *[other] { $days } días
    }
promo-unknown = Este código promocional no existe para <b>{ $channel }</b>. Aún puedes elegir un plan a precio completo:
promo-expired = Este código promocional ha caducado. Aún puedes elegir un plan de <b>{ $channel }</b> a precio completo:
promo-wrong-tier = Este código promocional es para otro plan de <b>{ $channel }</b>. Elige un plan:
promo-used-up = Este código promocional está agotado: todos sus usos están tomados. Aún puedes elegir un plan de <b>{ $channel }</b> a precio completo:
promo-already-used = Ya usaste este código promocional para <b>{ $channel }</b>. Aún puedes elegir un plan a precio completo:

# Owner
own-btn-promos = 🏷 Códigos promocionales
own-promos-title = 🏷 <b>Códigos promocionales de { $channel }</b>
own-promos-none = Aún no hay códigos.
own-promos-more = …y { $count } códigos más antiguos.
own-promos-total = Pagado con un código: { $paid }, ingresos { $revenue }.
own-promos-balance = 🏷 Códigos promocionales: { $paid } pagados, ingresos { $revenue }.
own-promo-line = • <code>{ $code }</code> — { $discount } de descuento{ $plan } · usos { $uses }/{ $limit } · pagados { $paid } · ingresos { $revenue } { $state }
own-promo-until = · hasta { $date }
own-promo-expired = · caducado
own-promo-off = · desactivado
own-promo-btn-new = ➕ Nuevo código
own-promo-btn-off = 🚫 Desactivar { $code }
own-promo-ask = 🏷 Nuevo código promocional para <b>{ $channel }</b>: envía una línea.
own-promo-format =
    Formato: <code>CÓDIGO DESCUENTO [plan=N] [uses=N] [days=N]</code>
    • CÓDIGO: 3–32 letras, dígitos, <code>-</code> o <code>_</code>
    • DESCUENTO: un porcentaje del 1% al 99%, o un importe como $3
    • plan=N: solo para el plan N (1 = 🥇); uses=N: como máximo N usos; days=N: válido N días
    Ejemplo: <code>SPRING 20% uses=100 days=30</code>
own-promo-bad-code = El código debe tener 3–32 letras, dígitos, - o _.
own-promo-bad-percent = El descuento debe ser un porcentaje entero del 1% al 99% o un importe como $3.
own-promo-bad-amount = Envía un descuento de { $min } a { $max }.
own-promo-bad-option = No entendí las opciones: usa plan=N, uses=N (de 1 a 1000000) y days=N (de 1 a 3650), cada una una vez.
own-promo-bad-plan = Este canal no tiene ese plan.
own-promo-too-big = Ese descuento dejaría todos los planes a los que se aplica por debajo de { $min }, el precio mínimo.
own-promo-exists = Este canal ya tiene el código <code>{ $code }</code> (no importan mayúsculas). Elige otro.
own-promo-saved = ✅ Código <code>{ $code }</code> guardado: { $discount } de descuento. Los suscriptores lo introducen en la tarjeta del canal o abren este enlace: { $link }

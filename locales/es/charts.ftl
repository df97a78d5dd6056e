# El gráfico de /balance (issue 15): botones, los textos del dibujo y su pie.
chart-btn = 📈 { $days } días
chart-title = Últimos { $days } días (UTC)
chart-revenue = Ingresos por día, USD (brutos: importe pagado, comisión de la plataforma incluida)
chart-method-stars = ⭐ Telegram Stars
chart-method-crypto = Cripto (NOWPayments)
chart-subscribers = Suscriptores activos al final de cada día
chart-progress = Saldo pendiente de pago y el umbral
chart-pending = Pendiente de pago
chart-threshold = Umbral de pago { $threshold }
chart-eta = Se espera alcanzar el umbral el { $date }
chart-eta-now = Umbral alcanzado: se paga con el próximo envío
chart-eta-none = Sin estimación: no hubo pagos en los últimos 30 días
chart-no-payments = Aún no hay pagos
chart-no-payments-period = No hubo pagos en los últimos { $days } días
chart-caption =
    📈 <b>{ $channel }</b>, últimos { $days } días
    Ingresos (brutos): { $total } en { $payments ->
        [one] { $payments } pago
       *[other] { $payments } pagos
    }
    Suscriptores activos ahora: { $subscribers }
chart-caption-threshold = Pendiente de pago: { $pending } de { $threshold }

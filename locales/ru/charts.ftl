# График в /balance (issue 15): кнопки, подписи на картинке и подпись к ней.
chart-btn = 📈 { $days } дней
chart-title = Последние { $days } дней (UTC)
chart-revenue = Выручка по дням, USD (брутто: оплаченная сумма вместе с комиссией платформы)
chart-method-stars = ⭐ Telegram Stars
chart-method-crypto = Криптовалюта (NOWPayments)
chart-subscribers = Активные подписчики на конец дня
chart-progress = Баланс к выплате и порог
chart-pending = Ожидает выплаты
chart-threshold = Порог выплаты { $threshold }
chart-eta = Порог будет достигнут примерно { $date }
chart-eta-now = Порог достигнут: выплата уйдёт со следующей отправкой
chart-eta-none = Без оценки: за последние 30 дней платежей не было
chart-no-payments = Платежей пока нет
chart-no-payments-period = За последние { $days } дней платежей не было
chart-caption =
    📈 <b>{ $channel }</b>, последние { $days } дней
    Выручка (брутто): { $total }, платежей: { $payments }
    Активные подписчики сейчас: { $subscribers }
chart-caption-threshold = Ожидает выплаты: { $pending } из { $threshold }

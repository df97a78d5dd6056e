# Операторы: /lookup, карточки канала и пользователя, остановка продаж канала, повторное приглашение
admin-lookup-none = 🔎 По запросу <code>{ $query }</code> ничего не найдено.
admin-lookup-more = … ещё { $count }
admin-lookup-nothing = —
admin-lookup-gone = 🔎 Не найдено (возможно, удалено).
admin-lookup-user =
    👤 <b>Пользователь</b> <code>{ $id }</code> { $name }
    Язык: { $lang } · своих каналов: { $owned }
admin-lookup-subscriptions = Подписки (канал, статус → окончание)
admin-lookup-invoices = Счета
admin-lookup-payments = Платежи
admin-lookup-grants = Начисления доступа (дни, старое → новое окончание)
admin-lookup-invites = Ссылки-приглашения
admin-lookup-balance = Ожидающий баланс (по состояниям)
admin-lookup-payouts = Выплаты
admin-lookup-events = События платежа (IPN)
admin-lookup-money = Доступ и деньги
admin-lookup-applied = применено
admin-lookup-not-applied = не применено
admin-lookup-state-on-sale = 🟢 в продаже
admin-lookup-state-owner-paused = ⏸ приостановлено владельцем
admin-lookup-state-admin-paused = ⛔ остановлено оператором
admin-lookup-state-rights-lost = ⚠️ бот потерял права
admin-lookup-state-deleted = 🗑 удалён
admin-lookup-channel =
    📣 <b>Канал</b> <code>{ $id }</code> <b>{ $title }</b>
    Владелец: { $owner }
    Код: <code>{ $code }</code> · чат <code>{ $chat }</code> · { $mode }
    Тарифы: { $plans }
    Выплаты: { $payout } · { $strategy }
    Состояние: { $state }
    Активных подписчиков: { $active }
admin-lookup-invoice =
    🧾 <b>Счёт</b> <code>{ $id }</code> ({ $kind }), { $created }
    Пользователь <code>{ $user }</code> · канал { $channel }
    { $days } дн. · { $price } · статус <b>{ $status }</b> · счёт NOWPayments <code>{ $np }</code>
admin-lookup-payment =
    💳 <b>Платёж</b> <code>{ $id }</code> · NOWPayments <code>{ $np }</code>
    Счёт: { $invoice } · статус <b>{ $status }</b> · { $created }
    Оплачено: { $paid } · итог: { $outcome }
    Стоимость { $value } = комиссия { $fee } + владельцу { $owner }
admin-lookup-held = ⚠️ Задержан: { $reason }
admin-lookup-orphan = ⚠️ Без счёта: { $reason }
admin-lookup-review = 🧐 Решение: { $review } ({ $reason })
admin-lookup-tx =
    ⛓ <b>Транзакция кошелька</b> <code>{ $hash }</code>
    Состояние <b>{ $state }</b> · nonce { $nonce } · сеть { $chain } · { $created }
    { $amount } { $asset } на <code>{ $to }</code>
admin-lookup-for-payout = Для выплаты:
admin-lookup-for-conversion = Для конвертации:
admin-lookup-payout-tx = 💸 <b>Транзакция выплаты</b> (владельцу):
admin-btn-user-card = 👤 Карточка пользователя
admin-btn-owner = 👤 Владелец
admin-btn-channel = 📣 Канал
admin-btn-resend-invite = 🔗 Новое приглашение: { $channel }
admin-btn-pause-channel = ⛔ Остановить продажи канала
admin-btn-resume-channel = ▶️ Возобновить продажи канала
admin-ask-pause-channel = ⛔ <b>Остановить продажи { $channel }</b>: новые покупки, продления и донаты отклоняются, ссылки сообщают, что продажи приостановлены. Текущие участники сохраняют доступ до конца подписки. Владелец видит «остановлено оператором» и не может это снять — только оператор.
admin-ask-resume-channel = ▶️ <b>Возобновить продажи { $channel }</b>: остановка оператора снимается. Канал снова продаётся, если владелец сам не поставил его на паузу (эта пауза остаётся за владельцем).
admin-channel-paused-now = ⛔ Продажи <b>{ $channel }</b> остановлены оператором.
admin-channel-resumed-now = ▶️ Остановка оператора для <b>{ $channel }</b> снята.
admin-channel-already-paused = Продажи <b>{ $channel }</b> уже остановлены оператором.
admin-channel-not-paused = Продажи <b>{ $channel }</b> не остановлены оператором.
admin-ask-resend-invite = 🔗 <b>Отправить новое приглашение</b> пользователю { $user } в <b>{ $channel }</b> (подписка до { $expires }, { $mode }): его неотозванные ссылки ({ $links }) отзываются, и он получает новую личную ссылку в личные сообщения. Участники, уже вступившие в канал, остаются.
admin-invite-resent = 🔗 Новое приглашение в <b>{ $channel }</b> отправляется подписчику.
admin-invite-recently = Приглашение в <b>{ $channel }</b> уже отправлено меньше минуты назад; больше ничего не отправлено.
admin-invite-not-possible = Приглашение в <b>{ $channel }</b> отправить нельзя: подписка не активна или истекла, либо канал удалён или бот потерял в нём права.
own-status-admin-paused = ⛔ продажи остановлены оператором (напишите в поддержку)

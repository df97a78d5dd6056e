# Telegram Stars (issue 15)

# Subscriber
stars-button = ⭐ { $medal } Оплатить { $stars } Stars · { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }
stars-invoice-description = Доступ к { $channel } на { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }.
stars-invoice-label = { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    } доступа
stars-unavailable = Оплата в Stars сейчас недоступна для этого тарифа. Откройте ссылку канала ещё раз, чтобы увидеть актуальные тарифы.
stars-refused-invalid = Этот счёт недействителен. Откройте ссылку канала ещё раз, чтобы получить новый.
stars-refused-expired = Срок действия счёта истёк. Нажмите кнопку Stars ещё раз, чтобы получить новый.
stars-refused-not-on-sale = Этот канал сейчас не продаёт подписки.
stars-received-unmatched = ⭐ Мы получили ваши Stars, но не смогли сопоставить их со счётом. Операторы уже знают и разберутся.
stars-statement-mark = ⭐ { $stars } Stars

# Owner
own-btn-stars = ⭐ Цены в Stars
own-stars-none = не продаётся за Stars
own-stars-price = ⭐ { $stars } Stars
own-stars-plan = { $plan }: { $price }
own-stars-title =
    ⭐ <b>Цены в Stars для { $channel }</b>

    Подписчики могут оплатить эти тарифы и в Telegram Stars. Ваша доля оценивается по { $rate } USD за Star (после доли Telegram), затем удерживается комиссия платформы и выплата идёт как для любого платежа. Выберите тариф:
own-stars-ask = Отправьте цену { $plan } в <b>{ $channel }</b> в целых Stars (от 1 до { $max }) или 0, чтобы не продавать его за Stars. Один Star оценивается в { $rate } USD.
own-stars-bad = Отправьте целое число Stars от 0 до { $max }.
own-stars-cleared = { $plan } больше не продаётся за Stars.
own-stars-saved = ⭐ { $plan } теперь продаётся и за { $stars } Stars (оценка { $value } до комиссии платформы).

# Operators
admin-stars-refund-button = ⭐ Вернуть { $stars } Stars
admin-stars-share = Доля владельца — { $owner }; ещё не выплаченное будет забрано.
admin-stars-share-none = Платёж ещё не оценён; забирать у владельца нечего.
admin-stars-not-stars = Это не платёж в Telegram Stars.
admin-stars-already = Платёж в Stars { $id } уже возвращён. Ничего не изменилось.
admin-stars-ask-refund =
    ⭐ <b>Вернуть платёж в Stars { $id }?</b>

    { $stars } Stars вернутся пользователю <code>{ $user }</code> через Telegram, оплаченные этим платежом дни будут отозваны, платёж будет помечен как возвращённый. { $share }
admin-stars-refund-failed = Telegram отклонил возврат: { $error }. Ничего не изменилось.
admin-stars-taken-back = Невыплаченная доля владельца { $owner } забрана.
admin-stars-paid-out = ⚠️ Доля владельца { $owner } уже выплачена (или в пути) и не забрана; создано оповещение.
admin-stars-refunded = ✅ Платёж в Stars { $id } возвращён: { $stars } Stars отправлены обратно, доступ отозван. { $share }

# Promo codes (issue 15)

# Subscriber
promo-have-code = 🏷 У меня есть промокод
promo-ask = 🏷 Отправьте промокод для <b>{ $channel }</b>.
promo-applied = 🏷 Промокод <b>{ $code }</b> применён: скидка { $discount }. Выберите тариф <b>{ $channel }</b>:
promo-tier-button = 🏷 { $medal } { $price } (было { $old }) · { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }
promo-unknown = Такого промокода у <b>{ $channel }</b> нет. Тариф можно выбрать по полной цене:
promo-expired = Срок действия промокода истёк. Тариф <b>{ $channel }</b> можно выбрать по полной цене:
promo-wrong-tier = Этот промокод действует для другого тарифа <b>{ $channel }</b>. Выберите тариф:
promo-used-up = Промокод исчерпан: все его использования заняты. Тариф <b>{ $channel }</b> можно выбрать по полной цене:
promo-already-used = Вы уже использовали этот промокод для <b>{ $channel }</b>. Тариф можно выбрать по полной цене:

# Owner
own-btn-promos = 🏷 Промокоды
own-promos-title = 🏷 <b>Промокоды { $channel }</b>
own-promos-none = Промокодов пока нет.
own-promos-more = …и ещё { $count } старых промокодов.
own-promos-total = Оплачено с промокодом: { $paid }, выручка { $revenue }.
own-promos-balance = 🏷 Промокоды: оплачено { $paid }, выручка { $revenue }.
own-promo-line = • <code>{ $code }</code> — скидка { $discount }{ $plan } · использований { $uses }/{ $limit } · оплачено { $paid } · выручка { $revenue } { $state }
own-promo-until = · до { $date }
own-promo-expired = · истёк
own-promo-off = · выключен
own-promo-btn-new = ➕ Новый промокод
own-promo-btn-off = 🚫 Выключить { $code }
own-promo-ask = 🏷 Новый промокод для <b>{ $channel }</b>: отправьте одну строку.
own-promo-format =
    Формат: <code>КОД СКИДКА [plan=N] [uses=N] [days=N]</code>
    • КОД: 3–32 латинские буквы, цифры, <code>-</code> или <code>_</code>
    • СКИДКА: процент от 1% до 99% или сумма, например $3
    • plan=N: только для тарифа N (1 = 🥇); uses=N: не более N использований; days=N: действует N дней
    Пример: <code>SPRING 20% uses=100 days=30</code>
own-promo-bad-code = Код — это 3–32 латинские буквы, цифры, - или _.
own-promo-bad-percent = Скидка — целый процент от 1% до 99% или сумма, например $3.
own-promo-bad-amount = Отправьте сумму скидки от { $min } до { $max }.
own-promo-bad-option = Не понял параметры: используйте plan=N, uses=N (от 1 до 1000000) и days=N (от 1 до 3650), каждый один раз.
own-promo-bad-plan = В этом канале нет такого тарифа.
own-promo-too-big = С такой скидкой все тарифы, к которым она относится, стали бы дешевле { $min } — минимальной цены.
own-promo-exists = У канала уже есть код <code>{ $code }</code> (регистр букв не важен). Выберите другой.
own-promo-saved = ✅ Промокод <code>{ $code }</code> сохранён: скидка { $discount }. Подписчики вводят его в карточке канала или открывают ссылку: { $link }

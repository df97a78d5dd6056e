# Operators: the console's shared parts (confirmation, paging, menu buttons)
cmd-lookup = Операторам: найти пользователя, канал, счёт, платёж или транзакцию
admin-btn-payouts = 💸 Выплаты
admin-btn-orphans = 🧾 Платежи на проверку
admin-btn-lookup = 🔎 Поиск
admin-lookup-help =
    🔎 <b>Поиск</b>: отправьте <code>/lookup</code> и одно из
    • id пользователя Telegram или @username
    • id, код или @username канала
    • id счёта, id платежа (наш или NOWPayments) или хеш транзакции
admin-btn-prev = ◀ Новее
admin-btn-next = Старше ▶
admin-confirm-question = Выполнить?
admin-btn-confirm = ✅ Подтвердить
admin-btn-cancel = ✖ Отмена
admin-ask-pause = ⏸ <b>Остановить все выплаты</b>: ни одна выплата, конвертация или перевод с кошелька не начнётся, пока оператор их не возобновит. Платежи по-прежнему принимаются, доступ выдаётся.
admin-ask-resume = ▶️ <b>Возобновить выплаты</b>: ожидающие выплаты, конвертации и переводы сразу снова начнут двигать деньги.
admin-ask-retry-job = 🔁 <b>Повторить задачу</b> { $id } ({ $kind }, попыток: { $attempts }) с новым запасом повторов. Последняя ошибка: { $error }
admin-paused-now = ⏸ Все выплаты остановлены.
admin-resumed-now = ▶️ Выплаты снова идут.
admin-already-paused = Выплаты уже остановлены.
admin-already-running = Выплаты уже идут.
access-resent-request =
    🔁 Вот новое приглашение в <b>{ $channel }</b>; доступ действует до { $expires }. Прежние ссылки больше не работают.

    Нажмите кнопку и отправьте заявку на вступление; я сразу её одобрю.
access-resent-link =
    🔁 Вот новое приглашение в <b>{ $channel }</b>; доступ действует до { $expires }. Прежние ссылки больше не работают.

    Нажмите кнопку, чтобы вступить. Ссылка личная и срабатывает один раз.

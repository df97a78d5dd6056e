# Операторы: платежи на проверке (сироты и задержанные)
admin-orphans-empty = 🧾 Платежей на проверке нет.
admin-orphans =
    🧾 <b>Платежи на проверке</b>: { $count } (сначала новые)
    { $lines }
admin-orphans-page-empty = 🧾 На проверке { $count } платежей; эта страница пуста.
admin-orphan-kind-held = ⏸ задержан
admin-orphan-kind-orphan = ❓ сирота
admin-orphan-not-found = Платежа { $id } нет.
admin-orphan-card =
    🧾 <b>Платёж { $id }</b> ({ $kind })
    Id в NOWPayments: { $np }
    order_id: { $order } · родительский платёж: { $parent }
    Статус: { $status }
    Запрошено: { $asked } · оплачено: { $paid }
    Цена: { $price }
    Зачислено: { $outcome } · выдан доступ: { $granted }
    Счёт: { $invoice }
    Причина: { $reason }
    События: { $events } (последнее: { $last })
    Создан: { $created }
admin-orphan-reviewed = Проверен: <b>{ $review }</b> { $reason }, оператор <code>{ $by }</code>, { $at }
admin-orphan-candidates =
    Счета, к которым он может относиться:
    { $lines }
admin-orphan-no-candidates = Ни один наш счёт не похож на его (та же цена в пределах 48 часов или счёт родительского платежа).
admin-orphan-assign-hint = Любой другой счёт: <code>/assign { $id } &lt;id счёта&gt;</code>
admin-btn-assign = ➡ Счёт { $invoice } · { $price } · { $status }
admin-btn-release = ▶️ Пропустить
admin-btn-dismiss = 🗑 Закрыть…
admin-orphan-dismiss-pick = 🗑 Почему закрыть платёж <code>{ $id }</code>? По нему ничего не будет выдано и выплачено.
admin-dismiss-reason-duplicate = Дубликат другого платежа
admin-dismiss-reason-refunded = Возвращён вне TelePay
admin-dismiss-reason-test = Тест или ошибка
admin-dismiss-reason-not-ours = Не наш
admin-assign-usage = Формат: <code>/assign &lt;id платежа&gt; &lt;id счёта&gt;</code> (наш id платежа или id в NOWPayments и наш id счёта). Ничего не изменено.
admin-review-payment = платёж <code>{ $id }</code> (NOWPayments <code>{ $np }</code>): { $status }, оплачено { $paid } из { $asked }, зачислено { $outcome }
admin-review-invoice = счёт <code>{ $id }</code> пользователя <code>{ $user }</code>: { $channel }, { $plan }, { $price }, { $status }
admin-review-plan-days = дней: { $days }
admin-review-plan-donation = пожертвование
admin-review-plan-topup = доплата
admin-effect-grant = даёт пользователю <code>{ $user }</code> дней доступа к { $channel }: { $days } (с долей владельца и приглашением)
admin-effect-donation = записывает пожертвование { $price } каналу { $channel } (доля владельца — следом)
admin-effect-topup = оплачено мало: пользователю <code>{ $user }</code> будет предложена доплата { $missing }
admin-effect-wait = записывает его; доступ появится, когда NOWPayments сообщит о завершении
admin-effect-close = записывает на счёт статус { $status }; ничего не выдаётся
admin-effect-revalue = доступ был выдан до задержки: он остаётся, а стоимость платежа будет посчитана заново
admin-ask-assign =
    ➡ <b>Привязать</b> { $payment }
    к: { $invoice }.
    Это { $effect }.
admin-ask-release =
    ▶️ <b>Пропустить</b> { $payment }
    задержан, потому что: { $reason }
    счёт: { $invoice }.
    Это { $effect }.
admin-ask-dismiss =
    🗑 <b>Закрыть</b> { $payment }
    причина: { $reason }. По нему ничего не выдаётся и не выплачивается; последующие уведомления сохраняются, но ничего не меняют.
admin-assigned-now = ✅ Платёж <code>{ $payment }</code> привязан к счёту <code>{ $invoice }</code>: { $effect }.
admin-released-now = ✅ Платёж <code>{ $payment }</code> пропущен: { $effect }.
admin-dismissed-now = ✅ Платёж <code>{ $payment }</code> закрыт ({ $reason }).
admin-review-no-payment = Такого платежа нет.
admin-review-done = Этот платёж уже проверен: { $review }. Ничего не изменено.
admin-review-not-waiting = Этот платёж не ждёт проверки. Ничего не изменено.
admin-review-not-orphan = Этот платёж уже относится к счёту; привязать можно только сироту. Ничего не изменено.
admin-review-not-held = Этот платёж не задержан. Ничего не изменено.
admin-review-no-invoice = Такого счёта нет. Ничего не изменено.
admin-review-invoice-closed = Этот счёт в статусе { $status }: к нему нельзя привязать платёж. Ничего не изменено.
admin-review-amounts = Его суммы не могут двигать деньги: { $reason }. Закройте его или дождитесь нового уведомления NOWPayments. Ничего не изменено.

// The sandbox page: polls /sandbox/api/state and posts actions to /sandbox/api/action.
"use strict";

let state = null;
let lastJson = "";
let current = null; // the selected person's id
let busy = false;
let shareRequest = null; // {request_id} while the channel chooser is open

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null) e.append(c);
  }
  return e;
}

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = "status " + (kind || "");
}

async function act(body) {
  if (busy) return;
  busy = true;
  document.body.dataset.busy = "1";
  setStatus("working…", "busy");
  try {
    const r = await fetch("/sandbox/api/action", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const j = await r.json().catch(() => ({ error: "HTTP " + r.status }));
    if (r.ok) setStatus(j.note || "done", "ok");
    else setStatus(j.error || "HTTP " + r.status, "error");
  } catch (e) {
    setStatus(String(e), "error");
  } finally {
    await poll(); // the page shows the result before it takes the next action
    busy = false;
    delete document.body.dataset.busy;
  }
}

const money = (micros) => "$" + (micros / 1e6).toFixed(2);
const when = (ms) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
const person = (id) => state.people.find((p) => p.id === id);
const nameOf = (id) => (person(id) || { name: String(id) }).name;
const channelTitle = (ledgerId) => {
  const c = state.ledger.channels.find((c) => c.id === ledgerId);
  return c ? c.title : "#" + ledgerId;
};

// t.me links, the invoice page, or anything else.
function openUrl(url) {
  const iid = /[?&]iid=(\d+)/.exec(url);
  if (iid) return openPay(Number(iid[1]));
  if (/^(https?:\/\/)?t\.me\//.test(url)) return act({ action: "open", person: current, url });
  setStatus("outside links do not open in the sandbox: " + url, "error");
}

// Text with its URLs made clickable.
function linkify(text) {
  const out = [];
  const re = /(https?:\/\/[^\s<>"]+)/g;
  let last = 0, m;
  while ((m = re.exec(text))) {
    out.push(text.slice(last, m.index));
    const url = m[1];
    out.push(el("a", { href: "#", class: "tlink", "data-url": url,
      onclick: (ev) => { ev.preventDefault(); openUrl(url); } }, url));
    last = m.index + url.length;
  }
  out.push(text.slice(last));
  return out;
}

function inlineButtons(m, chat) {
  // An invoice's own Pay button (no data, no URL) is drawn by invoiceCard.
  const rows = m.buttons.map((row) => row.filter((b) => b.data || b.url)).filter((r) => r.length);
  if (!rows.length) return null;
  return el("div", { class: "ibtns" }, rows.map((row) =>
    el("div", { class: "irow" }, row.map((b) => el("button", {
      class: "ibtn" + (b.url ? " url" : ""), "data-cb": b.data, "data-url": b.url,
      disabled: m.deleted ? "" : null,
      onclick: () => b.url ? openUrl(b.url)
        : act({ action: "press", person: current, chat, message_id: m.id, data: b.data }),
    }, b.text + (b.url ? " ↗" : "")))),
  ));
}

// A Telegram Stars invoice: title, description, price and Telegram's Pay button.
function invoiceCard(m, chat) {
  const i = m.invoice;
  return el("div", { class: "invoice" },
    el("div", { class: "inv-title" }, i.title),
    el("div", { class: "inv-desc" }, i.description),
    el("div", { class: "inv-amount" }, `⭐ ${i.stars}`),
    el("button", { class: "ibtn stars-pay", "data-invoice-msg": m.id,
      disabled: m.deleted || chat !== current ? "" : null,
      onclick: () => act({ action: "pay_stars", person: current, message_id: m.id }),
    }, `Pay ⭐ ${i.stars}`));
}

function bubble(m, chat) {
  const cls = "msg " + (m.from_bot ? "bot" : "me") + (m.deleted ? " deleted" : "") +
    (m.photo ? " photo" : "");
  return el("div", { class: cls, "data-id": m.id },
    m.photo ? el("img", { class: "photo", src: m.photo.url, width: m.photo.width,
      height: m.photo.height, alt: "photo" }) : null,
    m.invoice ? invoiceCard(m, chat) : null,
    m.text ? el("div", { class: "text" }, linkify(m.text)) : null,
    inlineButtons(m, chat),
    el("div", { class: "meta" }, (m.edited ? "edited · " : "") + (m.deleted ? "deleted · " : "") +
      new Date(m.date * 1000).toISOString().slice(11, 16)));
}

function renderPeople() {
  $("people").replaceChildren(...state.people.map((p) => el("button", {
    class: "person" + (p.id === current ? " selected" : ""), "data-person": p.id,
    onclick: () => { current = p.id; shareRequest = null; render(true); },
  }, el("b", {}, p.name), el("small", {}, ` ${p.role} · ${p.lang}`))));
}

function renderChat(scroll) {
  const p = person(current);
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  $("chat-title").replaceChildren(el("b", {}, p.name), ` (${p.role}) ↔ @${state.bot}`,
    p.memberships.length ? el("span", { class: "muted" }, " · in: " + p.memberships.map(([id, s]) =>
      `${(state.channels.find((c) => c.id === id) || {}).title} (${s})`).join(", ")) : null);
  box.replaceChildren(...p.messages.map((m) => bubble(m, current)));
  if (scroll || atBottom) box.scrollTop = box.scrollHeight;
  $("keyboard").replaceChildren(...(p.keyboard || []).map((row) => el("div", { class: "krow" },
    row.map((b) => el("button", {
      class: "kbtn" + (b.request_chat ? " request" : ""),
      onclick: () => {
        if (b.request_chat) { shareRequest = b.request_chat; renderShare(); }
        else act({ action: "send", person: current, text: b.text });
      },
    }, b.text)))));
  renderShare();
}

function renderShare() {
  const box = $("share-box");
  const p = person(current);
  if (!shareRequest) { box.hidden = true; return; }
  box.hidden = false;
  const mine = state.channels.filter((c) => p.chats.includes(c.id));
  box.replaceChildren(el("div", { class: "muted" }, "Choose a chat to share with the bot:"),
    ...mine.map((c) => el("button", { class: "share-choice", "data-chat": c.id, onclick: () => {
      const req = shareRequest; shareRequest = null; renderShare();
      act({ action: "share", person: current, request_id: req.request_id, chat_id: c.id });
    } }, c.title + (c.username ? " (@" + c.username + ")" : " (private)"))),
    mine.length ? null : el("div", {}, "This person owns no chat."),
    el("button", { onclick: () => { shareRequest = null; renderShare(); } }, "Cancel"));
}

function renderSide() {
  $("sale").replaceChildren(...state.ledger.channels.map((c) => {
    const url = `https://t.me/${state.bot}?start=c_${c.code}`;
    return el("div", { class: "row" }, el("a", { href: "#", class: "deeplink", "data-url": url,
      onclick: (ev) => { ev.preventDefault(); act({ action: "open", person: current, url }); } },
    c.title), el("span", { class: "muted" }, " open as the selected person"));
  }));
  $("invoices").replaceChildren(...state.invoices.slice().reverse().map((i) => el("div", { class: "row" },
    el("b", {}, `#${i.id} `), `${i.price} ${i.currency.toUpperCase()} for ${i.user_id ? nameOf(i.user_id) : "?"}`,
    el("span", { class: "badge" }, i.status || "?"),
    i.payments.map((p) => el("div", { class: "muted" }, `payment ${p.id}: ${p.paid} ${p.coin} — ${p.status}`)),
    el("button", { class: "pay", "data-invoice": i.id, onclick: () => openPay(i.id) }, "Pay…"))));
  const subs = state.ledger.subscriptions;
  $("subs").replaceChildren(...subs.map((s) => el("div", { class: "row" },
    `${nameOf(s.user_id)} → ${channelTitle(s.channel_id)} `, el("span", { class: "badge" }, s.status),
    el("div", { class: "muted" }, "until " + when(s.expires_at)))));
  const pending = state.ledger.accumulations.filter((a) => a.state !== "paid");
  $("payouts").replaceChildren(...state.ledger.payouts.map((p) => el("div", { class: "row payout" },
    `${p.kind} ${money(p.usd_micros)} → ${channelTitle(p.channel_id)} `, el("span", { class: "badge" }, p.state),
    el("div", { class: "muted" }, `${p.amount_sent || "?"} ${p.dest_currency} ${p.dest_network} to ${p.dest_address}`),
    p.tx_hash ? el("div", { class: "hash" }, "tx " + p.tx_hash) : null,
    p.error ? el("div", { class: "error" }, p.error) : null)),
  pending.length ? el("div", { class: "muted" }, `waiting to be paid out: ${pending.length} share(s), ` +
    money(pending.reduce((a, b) => a + b.owner_usd_micros, 0))) : "",
  ...state.balances.map((b) => el("div", { class: "muted balance" },
    `${b.host ? "platform wallet" : "owner wallet"} ${b.address}: ${b.usdt} USDT (simulated chain)`)));
  $("channels").replaceChildren(...state.channels.map((c) => el("details", { class: "channel" },
    el("summary", {}, `${c.title}${c.username ? " @" + c.username : ""} — owner ${nameOf(c.owner)}`),
    c.posts.filter((m) => !m.deleted).map((m) => bubble(m, c.id)),
    c.links.map((l) => el("div", { class: "row" }, el("a", { href: "#", class: "invite", "data-url": l.link,
      onclick: (ev) => { ev.preventDefault(); openUrl(l.link); } }, l.link),
    el("span", { class: "muted" }, ` ${l.join_request ? "join request" : "direct"}${l.revoked ? ", revoked" : ""}` +
      (l.joined.length ? ", used by " + l.joined.map(nameOf).join(", ") : "")))))));
}

function render(scroll) {
  if (!state) return;
  if (current === null) current = state.people[0].id;
  $("clock").textContent = state.clock.now;
  $("next").textContent = state.clock.next
    ? `next: ${state.clock.next.what} at ${when(state.clock.next.at_ms)}` : "";
  renderPeople();
  renderChat(scroll);
  renderSide();
}

async function poll() {
  try {
    const r = await fetch("/sandbox/api/state");
    if (!r.ok) return;
    const text = await r.text();
    if (text === lastJson) return;
    lastJson = text;
    const first = state === null;
    state = JSON.parse(text);
    document.body.dataset.ready = "1";
    render(first);
  } catch (e) { /* the server may be stopping; try again */ }
}

function openPay(invoiceId) {
  const inv = state && state.invoices.find((i) => i.id === invoiceId);
  if (!inv) return setStatus("no invoice " + invoiceId + " at NOWPayments", "error");
  $("pay-id").textContent = "#" + inv.id;
  $("pay-what").textContent = `${inv.description || ""} — ${inv.price} ${inv.currency.toUpperCase()}`;
  $("pay-dialog").dataset.invoice = inv.id;
  $("pay-dialog").dataset.price = inv.price;
  $("pay-coin").value = "usdttrc20";
  $("pay-amount").value = inv.price;
  $("pay-dialog").showModal();
}

$("pay-coin").addEventListener("change", () => {
  const stable = /^usd[tc]/.test($("pay-coin").value);
  $("pay-amount").value = stable ? $("pay-dialog").dataset.price : "";
});
$("pay-cancel").addEventListener("click", () => $("pay-dialog").close());
$("pay-go").addEventListener("click", () => {
  const d = $("pay-dialog");
  d.close();
  act({ action: "pay", invoice_id: Number(d.dataset.invoice), coin: $("pay-coin").value,
    amount: $("pay-amount").value });
});
$("compose").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("text").value;
  if (!text.trim() || current === null) return;
  $("text").value = "";
  act({ action: "send", person: current, text });
});
$("open-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const url = $("open-url").value.trim();
  if (url) { $("open-url").value = ""; openUrl(url); }
});
for (const b of document.querySelectorAll("[data-adv]")) {
  b.addEventListener("click", () => act({ action: "advance", by: b.dataset.adv }));
}

poll();
setInterval(poll, 700);

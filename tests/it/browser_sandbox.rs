//! `telepay sandbox` in a real browser: the owner registers a channel by clicking and typing in
//! the page, a subscriber opens the deep link, picks a plan, pays the invoice on the simulated
//! NOWPayments page, and the access link and the owner's payout appear; then the owner prices the
//! plan in Telegram Stars, the subscriber pays the invoice in his chat, and the owner's 📈 chart
//! from /balance shows as an image.

use std::process::Command;

use fantoccini::Locator;

use crate::support::browser::{Browser, browser_available, spawn_and_read};
use crate::support::wait::eventually;

const BIN: &str = env!("CARGO_BIN_EXE_telepay");
const OLGA: &str = "1001";
const SAM: &str = "2001";
const ALPHA: &str = "-100100000001";
const WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_is_registered_and_a_plan_bought_through_the_page() {
    if !browser_available("browser_sandbox") {
        return;
    }
    // A clean environment (no provider settings, no stray .env): the sandbox refuses real ones.
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .current_dir(dir.path())
        .args(["sandbox", "--port", "0"])
        .stderr(std::fs::File::create(dir.path().join("sandbox.log")).unwrap());
    let (_sandbox, url) = spawn_and_read(cmd, "Sandbox: ");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/sandbox"), "{url}");

    let b = Browser::start().await;
    b.client.goto(&url).await.unwrap();

    // The owner: /addchannel, the request_chat button, her channel.
    b.click_css(&format!("button[data-person='{OLGA}']")).await;
    b.bot_says("Hi, Olga").await;
    b.say("/addchannel").await;
    b.click_css(".kbtn.request").await;
    b.click_css(&format!(".share-choice[data-chat='{ALPHA}']"))
        .await;
    b.bot_says("Plan 1: send the price").await;
    b.say("9.99").await;
    b.bot_says("Plan 1: how many days").await;
    b.say("30").await;
    b.bot_says("Add another plan").await;
    b.click_css("button[data-cb='o:tdone']").await;
    b.bot_says("In which coin").await;
    let usdt_bsc = "button[data-cb='o:cur:USDT:BSC']";
    for _ in 0..12 {
        if b.has(usdt_bsc).await {
            break;
        }
        b.click(
            "the picker's next page",
            Locator::XPath("//button[starts-with(@data-cb,'o:curp:') and normalize-space(.)='▶']"),
        )
        .await;
    }
    b.click_css(usdt_bsc).await;
    b.bot_says("wallet address").await;
    b.say(WALLET).await;
    b.bot_says("How should you be paid").await;
    b.click_css("button[data-cb='o:instant']").await;
    b.bot_says("Check and confirm").await;
    b.click_css("button[data-cb='o:ok']").await;
    b.bot_says("is registered and on sale").await;

    // A subscriber: the deep link, a plan, the invoice, the payment.
    b.click_css(&format!("button[data-person='{SAM}']")).await;
    b.click_css("a.deeplink").await;
    b.bot_says("Choose a plan").await;
    b.click_css("button.ibtn[data-cb^='buy:']").await;
    b.bot_says("Pay with any coin").await;
    b.click_css("button.ibtn.url[data-url*='iid=']").await;
    let amount = b
        .find(
            "the payment dialog",
            Locator::Css("#pay-dialog[open] #pay-amount"),
        )
        .await;
    assert_eq!(amount.prop("value").await.unwrap().as_deref(), Some("9.99"));
    b.click_css("#pay-go").await;

    // The access: the message, the join link, and joining through it.
    b.bot_says("Payment received").await;
    b.click_css("button.ibtn.url[data-url^='https://t.me/+']")
        .await;
    b.find(
        "Sam to be a member of Alpha Signals",
        Locator::XPath("//div[@id='chat-title'][contains(., 'Alpha Signals (member)')]"),
    )
    .await;
    // The owner's instant payout, with its transaction on the simulated chain.
    let hash = b
        .find(
            "the payout's transaction",
            Locator::Css("#payouts .payout .hash"),
        )
        .await;
    let hash = hash.text().await.unwrap();
    assert!(hash.starts_with("tx 0x") && hash.len() == 3 + 66, "{hash}");

    // Telegram Stars: the owner prices the plan in Stars from her channel card.
    b.click_css(&format!("button[data-person='{OLGA}']")).await;
    b.say("/channels").await;
    b.bot_says("Your channels").await;
    b.click_css("button.ibtn[data-cb^='o:ch:']").await;
    b.click_css("button.ibtn[data-cb^='o:xtr:']").await;
    b.bot_says("0.013 USD per Star").await;
    b.click_css("button.ibtn[data-cb^='o:xtrp:']").await;
    b.bot_says("in whole Stars").await;
    b.say("400").await;
    b.bot_says("now also sells for 400 Stars").await;
    // The subscriber gets the invoice in his chat and pays it from the page.
    b.click_css(&format!("button[data-person='{SAM}']")).await;
    b.click_css("a.deeplink").await;
    b.click_css("button.ibtn[data-cb^='xtr:']").await;
    let invoice = b
        .find("the Stars invoice", Locator::Css(".msg.bot .invoice"))
        .await;
    let card = invoice.text().await.unwrap();
    assert!(card.contains("⭐ 400"), "{card}");
    assert!(card.contains("Pay ⭐ 400"), "{card}");
    b.click_css("button.stars-pay").await;
    b.find(
        "the second access message, after the Stars payment",
        Locator::XPath(
            "(//div[@id='messages']/div[contains(@class,'bot')]\
             [div[@class='text' and contains(., 'Payment received')]])[2]",
        ),
    )
    .await;
    b.find(
        "the paid Stars in Sam's chat",
        Locator::XPath(
            "//div[@id='messages']/div[contains(@class,'me')][contains(., '(paid ⭐ 400)')]",
        ),
    )
    .await;

    // The owner's chart from /balance, shown as an image in her chat.
    b.click_css(&format!("button[data-person='{OLGA}']")).await;
    b.say("/balance").await;
    b.click_css("button.ibtn[data-cb^='o:bal:']").await;
    b.bot_says("Platform fee").await;
    b.click_css("button.ibtn[data-cb^='o:chart:'][data-cb$=':30']")
        .await;
    let img = b
        .find("the chart", Locator::Css("#messages .msg.bot img.photo"))
        .await;
    let src = img.attr("src").await.unwrap().unwrap();
    eventually("the chart image to load", async || {
        b.client
            .execute(
                "return document.querySelector('#messages .msg.bot img.photo').naturalWidth",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .is_some_and(|w| w > 0)
    })
    .await;
    let png = reqwest::get(url.replace("/sandbox", &src)).await.unwrap();
    assert_eq!(png.headers()["content-type"].to_str().unwrap(), "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));

    // Bad input to the API is refused with a JSON error and changes nothing.
    let api = url.replace("/sandbox", "/sandbox/api/action");
    let http = reqwest::Client::new();
    for body in [
        r#"{"action":"pay","invoice_id":1}"#,
        r#"{"action":"send","person":42,"text":"hi"}"#,
        r#"{"action":"advance","by":"week"}"#,
        r#"{"action":"pay_stars","person":2001,"message_id":1}"#,
        "not json",
    ] {
        let r = http.post(&api).body(body).send().await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let j: serde_json::Value = r.json().await.unwrap();
        assert!(
            j["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}: {j}"
        );
    }
    let state: serde_json::Value = http
        .get(url.replace("/sandbox", "/sandbox/api/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["invoices"].as_array().map(Vec::len),
        Some(1),
        "{state}"
    );
    assert_eq!(
        state["invoices"][0]["payments"].as_array().map(Vec::len),
        Some(1)
    );

    let shot = b.client.screenshot().await.unwrap();
    let shots = tempfile::Builder::new()
        .prefix("telepay-sandbox-shot-")
        .tempdir()
        .unwrap()
        .keep();
    let path = shots.join("sandbox.png");
    std::fs::write(&path, shot).unwrap();
    eprintln!("screenshot: {}", path.display());
}

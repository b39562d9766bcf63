//! An agent works the queue in the real app: tickets arrive through the intake API of the app's
//! local hub, the agent signs in, takes a ticket from the queue, opens it, replies, escalates it
//! with a reason, and the queue updates (the ticket leaves "Mine", shows L2 in "All open").

use crate::driver::{App, CTRL, ENTER, ESCAPE, RELEASE};
use crate::flows::{create_local_admin, sign_in_app, step_after, Hub};
use opsdesk_proto::{TicketDetail, TicketSummary};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_takes_replies_to_and_escalates_a_ticket_and_the_queue_updates() {
    let home = std::env::temp_dir().join(format!("opsdesk-e2e-{}", uuid::Uuid::new_v4().simple()));
    let app = App::launch("queue", home).await;
    let (admin_secret, enrolled_at) = create_local_admin(&app).await;
    app.find("[data-test=queue]").await;
    let hub = Hub::of(&app).await;

    // As the admin, over the API: a tenant, an integration token, an agent.
    let at = step_after(enrolled_at.div_euclid(30)).await;
    let admin = hub.sign_in("ana.admin", &admin_secret, at).await;
    let (tenant, token) = hub.tenant_with_intake(&admin, "Globex", "globex").await;
    let (ben_secret, ben_enrolled) = hub.enroll(&admin, "ben.agent", "Ben Okafor", "agent").await;

    // The platform opens three tickets through intake.
    let mut opened = Vec::new();
    for (subject, priority) in [
        ("Checkout page returns 500", "critical"),
        ("Invoice PDF is blank", "medium"),
        ("Cannot add a second admin", "low"),
    ] {
        let t: TicketSummary = hub
            .post(
                "/api/v1/intake/tickets",
                Some(&token.secret),
                json!({"tenant": tenant.slug, "requester_name": "Rita Ruiz", "requester_email": "rita@globex.example",
                       "subject": subject, "body": format!("{subject}. Since this morning."), "priority": priority}),
            )
            .await;
        opened.push(t);
    }
    let checkout = opened[0].clone();

    // Ben signs in to the app.
    sign_in_app(&app, "ben.agent", &ben_secret, ben_enrolled).await;
    app.find("[data-test=queue]").await;

    // The unassigned view lists the three tickets, most urgent SLA first.
    app.find("[data-test=view-unassigned]")
        .await
        .click()
        .await
        .expect("unassigned");
    app.find(&format!(
        "[data-test=queue-row][data-number='{}']",
        checkout.number
    ))
    .await;
    for t in &opened {
        app.find(&format!(
            "[data-test=queue-row][data-number='{}']",
            t.number
        ))
        .await;
    }
    app.screenshot("30-queue-unassigned").await;

    // Take the checkout ticket from the keyboard: select it, `a` assigns it to me.
    app.find(&format!(
        "[data-test=queue-row][data-number='{}']",
        checkout.number
    ))
    .await
    .click()
    .await
    .expect("select");
    app.press("a").await;
    app.find("[data-test=view-mine]")
        .await
        .click()
        .await
        .expect("mine");
    app.find(&format!(
        "[data-test=queue-row][data-number='{}']",
        checkout.number
    ))
    .await;
    let mine = app
        .find("[data-test=view-mine]")
        .await
        .text()
        .await
        .expect("text");
    assert!(mine.contains('1'), "Mine counts the ticket: {mine}");
    app.screenshot("31-queue-mine").await;

    // Open it (`o`; Enter would press the focused view button), reply with Ctrl+Enter.
    app.press("o").await;
    app.find("[data-test=ticket]").await;
    app.wait_text("Since this morning").await;
    app.fill(
        "[data-test=composer-text]",
        "Thanks Rita, we are looking at the checkout errors now.",
    )
    .await;
    app.screenshot("32-ticket-reply").await;
    app.press(&format!("{CTRL}{ENTER}{RELEASE}")).await;
    app.find("[data-test=message-reply]").await;
    app.wait_text("we are looking at the checkout errors now")
        .await;

    // Escalate with a reason.
    app.find("[data-test=escalate-open]")
        .await
        .click()
        .await
        .expect("escalate");
    app.find("[data-test=escalate-form]").await;
    app.fill(
        "[data-test=escalate-form] textarea[name=reason]",
        "Payments provider errors; needs senior access to the gateway logs",
    )
    .await;
    app.screenshot("33-escalate").await;
    app.click_button("Escalate").await;
    app.wait_text("Escalated to L2").await;
    app.screenshot("34-ticket-escalated").await;

    // Back in the queue: the ticket left Ben's queue and shows L2 in All open.
    app.press(ESCAPE).await;
    app.find("[data-test=queue]").await;
    app.find("[data-test=view-all_open]")
        .await
        .click()
        .await
        .expect("all open");
    let row = app
        .find(&format!(
            "[data-test=queue-row][data-number='{}']",
            checkout.number
        ))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = row.text().await.unwrap_or_default();
        if text.contains("L2") && text.contains("Unassigned") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "row shows {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mine = app
        .find("[data-test=view-mine]")
        .await
        .text()
        .await
        .expect("text");
    assert!(mine.trim().ends_with('0'), "Mine is empty again: {mine}");
    app.screenshot("35-queue-after-escalation").await;

    // The hub has exactly one reply from Ben and the escalation.
    let detail: TicketDetail = hub
        .http
        .get(format!("{}/api/v1/tickets/{}", hub.base, checkout.id))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("hub answers")
        .json()
        .await
        .expect("detail");
    let replies = detail
        .messages
        .iter()
        .filter(|m| m.author_name == "Ben Okafor")
        .count();
    assert_eq!(replies, 1);
    assert_eq!(detail.ticket.escalation_level.as_str(), "l2");
    app.quit().await;
}

//! Generating two years of tickets: arrivals, conversations, assignment, escalation and SLA
//! clocks that agree with each ticket's status.

use super::directory::{seed_group, seed_staff, seed_tenants};
use super::text::{
    follow_up, note, opening, reply, solution, subject, ESCALATION_REASONS, EXTRA_TAGS,
    FIRST_NAMES, LAST_NAMES, TOPICS,
};
use super::{id_at, pick, zipf, Author, Person, SeedError, SeedPlan, SeedReport, Tenant};
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::sla::{SlaClock, SlaStage, SlaState, SlaTargets};
use opsdesk_core::ticket::{EscalationLevel, MessageKind, Priority, TicketStatus};
use opsdesk_core::Role;
use opsdesk_store::{HistoryDraft, NewMessage, Store, TicketState, TicketWrite};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::Rng;
use std::collections::HashMap;
use uuid::Uuid;

/// What an open ticket past its first hours is waiting for.
const OPEN_STATUSES: [TicketStatus; 3] = [
    TicketStatus::Open,
    TicketStatus::Pending,
    TicketStatus::OnHold,
];

/// How likely an escalated ticket has been picked up by the tier above.
fn pickup(status: TicketStatus) -> f64 {
    match status {
        TicketStatus::New => 0.0,
        s if s.is_open() => 0.4,
        _ => 0.95,
    }
}

/// A time between `a` and `b` (`a` when `b` is not after it).
fn between(rng: &mut StdRng, a: DateTime<Utc>, b: DateTime<Utc>) -> DateTime<Utc> {
    let ms = (b - a).num_milliseconds();
    if ms <= 0 {
        a
    } else {
        a + Duration::milliseconds(rng.gen_range(0..=ms))
    }
}

/// Everything tickets are generated from: the directory, the team and the SLA targets.
pub(crate) struct Desk {
    now: DateTime<Utc>,
    targets: HashMap<Priority, SlaTargets>,
    tenants: Vec<Tenant>,
    tenant_weights: WeightedIndex<f64>,
    /// L1 work: agents and senior agents, some busier than others.
    agents: Vec<Person>,
    agent_weights: WeightedIndex<f64>,
    seniors: Vec<Person>,
    engineers: Vec<Person>,
    /// Tier 1, Tier 2, Platform, Billing.
    groups: [Uuid; 4],
    topic_weights: WeightedIndex<f64>,
    tag_weights: WeightedIndex<f64>,
    priority_weights: WeightedIndex<f64>,
    /// Open, pending, on hold, for open tickets past their first hours.
    open_status_weights: WeightedIndex<i32>,
    /// Each tenant's latest ticket, for duplicates merged into it.
    last_ticket: HashMap<usize, Uuid>,
}

impl Desk {
    pub(super) async fn new(
        store: &dyn Store,
        plan: &SeedPlan,
        now: DateTime<Utc>,
        rng: &mut StdRng,
        report: &mut SeedReport,
    ) -> Result<Desk, SeedError> {
        let mut targets = HashMap::new();
        for p in Priority::ALL {
            targets.insert(*p, SlaTargets::default_for(*p));
        }
        for p in store.sla_policies().await? {
            targets.insert(
                p.priority,
                SlaTargets {
                    first_response_minutes: p.first_response_minutes,
                    resolution_minutes: p.resolution_minutes,
                },
            );
        }
        let tenants = seed_tenants(store, plan, now, rng, report).await?;
        let staff = seed_staff(store, plan, now, rng, report).await?;
        let of = |roles: &[Role]| -> Vec<Person> {
            staff
                .iter()
                .filter(|(_, r)| roles.contains(r))
                .map(|(p, _)| p.clone())
                .collect()
        };
        let agents = of(&[Role::Agent, Role::SeniorAgent]);
        let seniors = of(&[Role::SeniorAgent]);
        let engineers = of(&[Role::Engineer]);
        let ids = |v: &[Person]| v.iter().map(|p| p.id).collect::<Vec<_>>();
        let groups = [
            seed_group(store, rng, "Tier 1", &ids(&agents), now).await?,
            seed_group(store, rng, "Tier 2", &ids(&seniors), now).await?,
            seed_group(store, rng, "Platform", &ids(&engineers), now).await?,
            seed_group(
                store,
                rng,
                "Billing",
                &ids(&agents[..agents.len().min(4)]),
                now,
            )
            .await?,
        ];
        Ok(Desk {
            now,
            targets,
            tenant_weights: zipf(tenants.len(), 1.07),
            tenants,
            agent_weights: zipf(agents.len(), 0.4),
            agents,
            seniors,
            engineers,
            groups,
            topic_weights: WeightedIndex::new(TOPICS.iter().map(|t| t.weight))
                .expect("topic weights are positive"),
            tag_weights: zipf(EXTRA_TAGS.len(), 1.1),
            priority_weights: WeightedIndex::new([2.0, 12.0, 52.0, 34.0])
                .expect("priority weights are positive"),
            open_status_weights: WeightedIndex::new([60, 28, 12])
                .expect("status weights are positive"),
            last_ticket: HashMap::new(),
        })
    }

    /// One ticket created at `c`, with its conversation and a clock consistent with its status.
    pub(super) fn ticket(
        &mut self,
        rng: &mut StdRng,
        c: DateTime<Utc>,
        report: &mut SeedReport,
    ) -> TicketWrite {
        let now = self.now;
        let tenant_ix = self.tenant_weights.sample(rng);
        let topic = &TOPICS[self.topic_weights.sample(rng)];
        let priority = Priority::ALL[self.priority_weights.sample(rng)];
        let targets = self.targets[&priority];
        let first_ms = targets.first_response_minutes * 60_000;
        let resolve_ms = targets.resolution_minutes * 60_000;
        let age = now - c;
        let age_ms = age.num_milliseconds().max(0);
        let age_days = age_ms as f64 / 86_400_000.0;
        // Most of the backlog is recent; a thin tail of old tickets is still waiting.
        let open = rng.gen_bool((0.85 * (-age_days / 14.0).exp() + 0.02).min(1.0));
        let mut level = match rng.gen_range(0..1000) {
            0..=3 => EscalationLevel::L3,
            4..=23 => EscalationLevel::L2,
            _ => EscalationLevel::L1,
        };
        let status;
        let sla;
        let mut first_responded_at = None;
        let mut solved_at = None;
        let updated_at;
        if open {
            status = if age < Duration::hours(8) && rng.gen_bool(0.6) {
                TicketStatus::New
            } else {
                OPEN_STATUSES[self.open_status_weights.sample(rng)]
            };
            let responded = match status {
                TicketStatus::New => false,
                TicketStatus::Pending => true,
                _ => rng.gen_bool(0.9),
            };
            let stage = if responded {
                SlaStage::Resolution
            } else {
                SlaStage::FirstResponse
            };
            let target = if responded { resolve_ms } else { first_ms };
            if status == TicketStatus::Pending {
                // Waiting on the requester: the clock is paused with part of the target used.
                let active = ((target as f64 * rng.gen_range(0.05..0.9)) as i64).min(age_ms);
                let state = if target - active <= target / 5 {
                    SlaState::Warned
                } else {
                    SlaState::Ok
                };
                sla = SlaClock {
                    active_ms: active,
                    running_since: None,
                    stage,
                    state,
                };
                let asked = c + Duration::milliseconds(active);
                first_responded_at = Some(between(rng, c, asked));
                updated_at = between(rng, asked, now);
            } else {
                // Running: place the deadline around now, from well overdue to a full target
                // ahead, as far as the ticket's age allows.
                let (active, running) = if status == TicketStatus::New {
                    (0, age_ms)
                } else {
                    let f: f64 = match rng.gen_range(0..100) {
                        0..=21 => -rng.gen_range(0.0..1.5),
                        22..=31 => rng.gen_range(0.0..0.2),
                        _ => rng.gen_range(0.2..1.0),
                    };
                    let elapsed = (((1.0 - f) * target as f64) as i64).min(age_ms);
                    let running = (elapsed as f64 * rng.gen_range(0.1..=1.0)) as i64;
                    (elapsed - running, running)
                };
                let left = target - active - running;
                let state = if left <= 0 {
                    SlaState::Breached
                } else if left <= target / 5 {
                    SlaState::Warned
                } else {
                    SlaState::Ok
                };
                let since = now - Duration::milliseconds(running);
                sla = SlaClock {
                    active_ms: active,
                    running_since: Some(since),
                    stage,
                    state,
                };
                if responded {
                    first_responded_at = Some(between(rng, c, since));
                }
                updated_at = since.max(c);
                if state == SlaState::Breached {
                    // The SLA job escalated it when it breached.
                    level = level.raise().unwrap_or(level);
                }
            }
        } else {
            let frt = (first_ms as f64 * -rng.gen::<f64>().max(1e-9).ln() * 0.2) as i64;
            let mut active = (resolve_ms as f64 * -rng.gen::<f64>().max(1e-9).ln() * 0.25) as i64;
            active = active.max(frt + 60_000);
            let waited = if rng.gen_bool(0.3) {
                rng.gen_range(0..3 * 86_400_000)
            } else {
                0
            };
            let mut wall = (active as f64 * rng.gen_range(1.0..3.0)) as i64 + waited;
            if wall >= age_ms {
                wall = (age_ms as f64 * rng.gen_range(0.3..0.95)) as i64;
                active = active.min(wall);
            }
            let solved = c + Duration::milliseconds(wall);
            solved_at = Some(solved);
            first_responded_at = Some(c + Duration::milliseconds(frt.min(active)));
            let breached = active > resolve_ms || frt > first_ms;
            if breached {
                level = level.raise().unwrap_or(level);
            }
            sla = SlaClock {
                active_ms: active,
                running_since: None,
                stage: SlaStage::Done,
                state: if breached {
                    SlaState::Breached
                } else {
                    SlaState::Ok
                },
            };
            let close_at = solved + Duration::hours(rng.gen_range(96..120));
            if close_at < now && rng.gen_bool(0.97) {
                status = TicketStatus::Closed;
                updated_at = close_at;
            } else {
                status = TicketStatus::Solved;
                updated_at = solved;
            }
        }
        // Escalation takes the ticket from its assignee; the tier above may pick it up.
        let (assignee, group) = match level {
            EscalationLevel::L1 => {
                // Assigning a new ticket opens it, so new ones are unassigned.
                let taken = match status {
                    TicketStatus::New => false,
                    s if s.is_open() => rng.gen_bool(0.75),
                    _ => rng.gen_bool(0.97),
                };
                let group = if topic.tag == "billing" {
                    self.groups[3]
                } else {
                    self.groups[0]
                };
                let who = taken.then(|| self.agents[self.agent_weights.sample(rng)].clone());
                (who, rng.gen_bool(0.7).then_some(group))
            }
            EscalationLevel::L2 => {
                let who = rng
                    .gen_bool(pickup(status))
                    .then(|| self.seniors[rng.gen_range(0..self.seniors.len())].clone());
                (who, Some(self.groups[1]))
            }
            EscalationLevel::L3 => {
                let who = rng
                    .gen_bool(pickup(status))
                    .then(|| self.engineers[rng.gen_range(0..self.engineers.len())].clone());
                (who, Some(self.groups[2]))
            }
        };
        let merged_into = match (status, self.last_ticket.get(&tenant_ix)) {
            (TicketStatus::Closed, Some(target)) if rng.gen_bool(0.006) => Some(*target),
            _ => None,
        };
        let id = id_at(rng, c);
        self.last_ticket.insert(tenant_ix, id);
        let mut tags = vec![topic.tag.to_owned()];
        for _ in 0..rng.gen_range(0..=2) {
            tags.push(EXTRA_TAGS[self.tag_weights.sample(rng)].to_owned());
        }
        if merged_into.is_some() {
            tags.push("duplicate".into());
        }
        tags.sort();
        tags.dedup();
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let requester = format!("{first} {last}");
        let email = format!(
            "{}.{}@{}.example.com",
            first.to_lowercase(),
            last.to_lowercase(),
            self.tenants[tenant_ix].slug
        );
        let staff = assignee
            .clone()
            .unwrap_or_else(|| self.agents[self.agent_weights.sample(rng)].clone());
        // (kind, author, body, time); ids are drawn once the conversation is in order.
        let mut drafts: Vec<(MessageKind, Author, String, DateTime<Utc>)> = Vec::new();
        let mut say = |kind, author, body, at| drafts.push((kind, author, body, at));
        say(
            MessageKind::Reply,
            Author::Requester,
            opening(rng, topic),
            c,
        );
        // The conversation ends when the ticket was solved, or at its last change.
        let end = solved_at.unwrap_or(updated_at).max(c);
        let mut at = c;
        if let Some(fr) = first_responded_at {
            let fr = fr.max(c).min(end);
            if rng.gen_bool(0.2) {
                let t = between(rng, c, fr);
                say(MessageKind::Note, Author::Staff, note(rng), t);
            }
            say(MessageKind::Reply, Author::Staff, reply(rng), fr);
            at = fr;
            let extra = rng.gen_range(0..=if open { 1 } else { 2 });
            let mut times: Vec<_> = (0..extra).map(|_| between(rng, fr, end)).collect();
            times.sort();
            for t in times {
                match rng.gen_range(0..10) {
                    0..=3 => say(MessageKind::Reply, Author::Requester, follow_up(rng), t),
                    4..=7 => say(MessageKind::Reply, Author::Staff, reply(rng), t),
                    _ => say(MessageKind::Note, Author::Staff, note(rng), t),
                }
                at = t;
            }
        } else if status != TicketStatus::New && rng.gen_bool(0.3) {
            let t = between(rng, c, end);
            say(MessageKind::Note, Author::Staff, note(rng), t);
        }
        if level != EscalationLevel::L1 {
            let t = between(rng, c, end);
            let by = if sla.state == SlaState::Breached {
                "the SLA".to_owned()
            } else {
                staff.name.clone()
            };
            let text = format!(
                "Escalated to {} ({}s) by {by}: {}",
                level.as_str().to_uppercase(),
                level.handled_by().as_str().replace('_', " "),
                pick(rng, ESCALATION_REASONS)
            );
            say(MessageKind::System, Author::Hub, text, t);
        }
        if let (Some(solved), Some(_)) = (solved_at, first_responded_at) {
            say(
                MessageKind::Reply,
                Author::Staff,
                solution(rng),
                solved.max(at),
            );
        }
        if let Some(target) = merged_into {
            let text = format!("Merged into ticket {target} by {}", staff.name);
            say(MessageKind::System, Author::Hub, text, updated_at);
        }
        drafts.sort_by_key(|d| d.3);
        // At most six messages: drop from the middle, keeping the opening and the outcome.
        while drafts.len() > 6 {
            drafts.remove(drafts.len() / 2);
        }
        let messages: Vec<NewMessage> = drafts
            .into_iter()
            .map(|(kind, author, body, at)| {
                let (author_id, author_name) = match author {
                    Author::Requester => (None, requester.clone()),
                    Author::Staff => (Some(staff.id), staff.name.clone()),
                    Author::Hub => (None, "Opsdesk".to_owned()),
                };
                NewMessage {
                    id: id_at(rng, at),
                    kind,
                    author_id,
                    author_name,
                    body,
                    created_at: at,
                }
            })
            .collect();
        let deadlines = sla.deadlines(targets);
        report.messages += messages.len() as u64;
        if status.is_open() {
            report.open += 1;
            if deadlines
                .due_at
                .is_some_and(|d| d <= now + crate::domain::tickets::queue::BREACHING_SOON)
            {
                report.breaching_soon += 1;
            }
        }
        if level != EscalationLevel::L1 {
            report.escalated += 1;
        }
        TicketWrite {
            expected_version: None,
            state: TicketState {
                id,
                tenant_id: self.tenants[tenant_ix].id,
                requester_name: requester,
                requester_email: email,
                subject: subject(rng, topic),
                status,
                priority,
                assignee_id: assignee.map(|p| p.id),
                group_id: group,
                tags,
                escalation_level: level,
                sla,
                sla_due_at: deadlines.due_at,
                sla_check_at: deadlines.check_at,
                first_responded_at,
                solved_at,
                merged_into,
                created_at: c,
                updated_at: updated_at.max(c).min(now),
            },
            messages,
            history: HistoryDraft {
                actor: "system".into(),
                actor_name: "Opsdesk".into(),
                changes: Vec::new(),
            },
        }
    }
}

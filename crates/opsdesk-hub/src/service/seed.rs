//! The dataset generator behind `opsdesk-hub seed`: a desk shaped like a real one (Zipf-sized
//! tenants, staff of every role, two years of tickets with conversations and SLA clocks that
//! agree with their status), deterministic from a seed, written through `Store::seed_batch` in
//! batches, with one audit entry for the whole run. Benchmarks and the app's demo reuse it.

use crate::support::effects::audit;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::sla::{SlaClock, SlaStage, SlaState, SlaTargets};
use opsdesk_core::ticket::{EscalationLevel, MessageKind, Priority, TicketStatus};
use opsdesk_core::Role;
use opsdesk_proto::TenantStatus;
use opsdesk_store::{
    Effects, HistoryDraft, InviteKind, NewInvite, NewMessage, NewStaff, SeedBatch, Store,
    StoreError, TenantDraft, TicketSpec, TicketState, TicketWrite,
};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

/// The most tickets one run may generate.
pub const MAX_TICKETS: u64 = 10_000_000;
/// How far back the generated tickets go.
pub const HISTORY_DAYS: i64 = 730;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedPlan {
    pub tickets: u64,
    pub tenants: u32,
    pub staff: u32,
    /// The same seed (on the same database state) gives the same desk.
    pub seed: u64,
    /// Add to a database that already holds tickets, reusing tenants and staff by name.
    pub append: bool,
    /// Tickets per transaction.
    pub batch: u32,
    /// The desk's present: tickets span the [`HISTORY_DAYS`] before it, open ones are due
    /// around it.
    pub now: DateTime<Utc>,
}

impl SeedPlan {
    /// A plan with the usual team (60 staff), seed 1, batches of 2,000.
    pub fn new(tickets: u64, tenants: u32, now: DateTime<Utc>) -> SeedPlan {
        SeedPlan {
            tickets,
            tenants,
            staff: 60,
            seed: 1,
            append: false,
            batch: 2_000,
            now,
        }
    }

    /// Refuses sizes the generator does not make, naming the option and its range.
    pub fn check(&self) -> Result<(), SeedError> {
        let rules: [(bool, &'static str, &'static str); 4] = [
            (
                (1..=MAX_TICKETS).contains(&self.tickets),
                "tickets",
                "must be between 1 and 10000000",
            ),
            (
                (1..=100_000).contains(&self.tenants),
                "tenants",
                "must be between 1 and 100000",
            ),
            (
                (7..=10_000).contains(&self.staff),
                "staff",
                "must be between 7 and 10000 (at least one of each role)",
            ),
            (
                (1..=50_000).contains(&self.batch),
                "batch",
                "must be between 1 and 50000",
            ),
        ];
        match rules.into_iter().find(|(ok, _, _)| !ok) {
            Some((_, option, rule)) => Err(SeedError::Invalid { option, rule }),
            None => Ok(()),
        }
    }
}

/// Why a seed run did not happen or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("--{option} {rule}")]
    Invalid {
        option: &'static str,
        rule: &'static str,
    },
    #[error("the database already holds {0} tickets; seed with --append to add to them")]
    NotEmpty(i64),
    #[error("seeding failed: {0}")]
    Store(#[from] StoreError),
}

/// Where a run stands, after each batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedProgress {
    pub written: u64,
    pub total: u64,
    pub elapsed: std::time::Duration,
}

impl SeedProgress {
    /// Tickets written per second so far.
    pub fn rate(&self) -> f64 {
        self.written as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedReport {
    pub tenants_created: u32,
    pub staff_created: u32,
    pub tickets: u64,
    pub messages: u64,
    /// Tickets still new, open, pending or on hold.
    pub open: u64,
    /// Tickets at L2 or L3.
    pub escalated: u64,
    /// Open tickets due within the hour or overdue.
    pub breaching_soon: u64,
    pub elapsed: std::time::Duration,
}

/// Generates the desk `plan` describes into `store`, calling `progress` after every batch. Each
/// batch commits on its own: a run that fails part way keeps the batches before the failure
/// (add to them with `append`), and its audit entry is written only when it completes.
pub async fn seed(
    store: &dyn Store,
    plan: SeedPlan,
    mut progress: impl FnMut(&SeedProgress),
) -> Result<SeedReport, SeedError> {
    plan.check()?;
    let started = Instant::now();
    let now = DateTime::from_timestamp_millis(plan.now.timestamp_millis()).unwrap_or(plan.now);
    let existing = store.count_tickets(&TicketSpec::default()).await?;
    if existing > 0 && !plan.append {
        return Err(SeedError::NotEmpty(existing));
    }
    let mut report = SeedReport::default();
    // The directory depends on the seed alone, so an append finds the same names again; the
    // tickets also depend on what is there, so an append never repeats an id.
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut desk = Desk::new(store, &plan, now, &mut rng, &mut report).await?;
    let mut rng =
        StdRng::seed_from_u64(plan.seed ^ (existing as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let span_ms = Duration::days(HISTORY_DAYS).num_milliseconds() as f64;
    let start = now - Duration::days(HISTORY_DAYS);
    let mut batch = Vec::with_capacity(plan.batch as usize);
    for i in 0..plan.tickets {
        // Volume grows a little over the two years; tickets come in creation order.
        let x = (i as f64 + rng.gen::<f64>()) / plan.tickets as f64;
        let created = start + Duration::milliseconds((x.powf(0.85) * span_ms) as i64);
        let created = created.min(now - Duration::minutes(1));
        batch.push(desk.ticket(&mut rng, created, &mut report));
        if batch.len() == plan.batch as usize || i + 1 == plan.tickets {
            let tickets = std::mem::replace(&mut batch, Vec::with_capacity(plan.batch as usize));
            store
                .seed_batch(SeedBatch {
                    tenants: Vec::new(),
                    tickets,
                })
                .await?;
            progress(&SeedProgress {
                written: i + 1,
                total: plan.tickets,
                elapsed: started.elapsed(),
            });
        }
    }
    report.tickets = plan.tickets;
    report.elapsed = started.elapsed();
    let fx = Effects::audit(audit(
        now,
        "system",
        AuditAction::DatasetSeeded,
        "dataset",
        std::net::Ipv4Addr::LOCALHOST.into(),
        json!({
            "tickets": report.tickets,
            "messages": report.messages,
            "open": report.open,
            "escalated": report.escalated,
            "tenants_created": report.tenants_created,
            "staff_created": report.staff_created,
            "tenants": plan.tenants,
            "staff": plan.staff,
            "seed": plan.seed,
            "append": plan.append,
            "now": now,
            "seconds": report.elapsed.as_secs_f64(),
        }),
    ));
    store.record(fx).await?;
    Ok(report)
}

/// Gives every tenant in the directory `per_tenant` users (an owner, admins, members, billing,
/// a few locked or without MFA) and a few days of sign-ins, as the platform would report them.
/// Deterministic per tenant slug; tenants that already have users are updated in place (users
/// are matched by email). Returns how many users were written.
pub async fn seed_tenant_users(
    store: &dyn Store,
    per_tenant: u32,
    now: DateTime<Utc>,
) -> Result<u64, opsdesk_store::StoreError> {
    use opsdesk_core::access::{TenantUserRole, TenantUserStatus};
    use opsdesk_core::proof::{cap, Granted, TenantDataLoad};
    use opsdesk_store::{NewTenantSignIn, TenantUserDraft};
    // Seeding is the hub itself loading the platform's directory, with an admin's authority.
    let Ok(admin) = Granted::<cap::TenantsManage>::check(Role::Admin) else {
        return Ok(0);
    };
    let mut written = 0u64;
    let mut after: Option<(String, Uuid)> = None;
    loop {
        let tenants = store
            .list_tenants(None, after.as_ref().map(|(n, id)| (n.as_str(), *id)), 200)
            .await?;
        let Some(last) = tenants.last() else { break };
        after = Some((last.name.clone(), last.id));
        for tenant in &tenants {
            let mut rng = StdRng::seed_from_u64(
                tenant.slug.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                }),
            );
            let mut users = Vec::new();
            let mut seen = HashSet::new();
            while users.len() < per_tenant as usize {
                let first = pick(&mut rng, FIRST_NAMES);
                let last = pick(&mut rng, LAST_NAMES);
                let email = format!(
                    "{}.{}@{}.example",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    tenant.slug
                );
                if !seen.insert(email.clone()) {
                    continue;
                }
                let role = match users.len() {
                    0 => TenantUserRole::Owner,
                    1 | 2 => TenantUserRole::Admin,
                    3 => TenantUserRole::Billing,
                    _ if rng.gen_bool(0.15) => TenantUserRole::ReadOnly,
                    _ => TenantUserRole::Member,
                };
                let status = match rng.gen_range(0..20) {
                    0 | 1 => TenantUserStatus::Locked,
                    2 => TenantUserStatus::Invited,
                    3 => TenantUserStatus::Disabled,
                    _ => TenantUserStatus::Active,
                };
                let last_sign_in_at = (status != TenantUserStatus::Invited)
                    .then(|| now - Duration::minutes(rng.gen_range(5..60 * 24 * 30)));
                users.push(TenantUserDraft {
                    name: format!("{first} {last}"),
                    email,
                    role,
                    status,
                    mfa_enabled: role != TenantUserRole::ReadOnly && rng.gen_bool(0.7),
                    last_sign_in_at,
                });
            }
            let load = TenantDataLoad::check(&admin, tenant.id);
            let sign_ins: Vec<NewTenantSignIn> = users
                .iter()
                .filter_map(|u| u.last_sign_in_at.map(|at| (u, at)))
                .flat_map(|(u, at)| {
                    let failed = u.status == TenantUserStatus::Locked;
                    (0..3).map(move |k| NewTenantSignIn {
                        email: u.email.clone(),
                        at: at - Duration::hours(k * 26),
                        success: !(failed && k == 0),
                        address: format!("198.51.100.{}", 10 + (u.email.len() as i64 + k) % 200),
                        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"
                            .into(),
                    })
                })
                .collect();
            written += users.len() as u64;
            let fx = Effects::audit(audit(
                now,
                "system",
                AuditAction::TenantUsersImported,
                &format!("tenant:{}", tenant.id),
                std::net::Ipv4Addr::LOCALHOST.into(),
                json!({ "tenant": tenant.slug, "rows": users.len(), "generated": true,
                        "sign_ins": sign_ins.len() }),
            ));
            store.import_tenant_users(&load, users, now, fx).await?;
            store
                .record_tenant_sign_ins(&load, sign_ins, Effects::default())
                .await?;
        }
        if tenants.len() < 200 {
            break;
        }
    }
    Ok(written)
}

/// A UUIDv7 for `at` with random bits from the generator, so ids are deterministic and rows go
/// into the id index in time order.
fn id_at(rng: &mut StdRng, at: DateTime<Utc>) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Weights `1 / (rank + 1)^s`: a few heavy items and a long tail.
fn zipf(n: usize, s: f64) -> WeightedIndex<f64> {
    WeightedIndex::new((0..n.max(1)).map(|k| 1.0 / ((k + 1) as f64).powf(s)))
        .expect("zipf weights are positive")
}

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

struct Tenant {
    id: Uuid,
    slug: String,
}

/// Who wrote a generated message.
#[derive(Clone, Copy)]
enum Author {
    Requester,
    Staff,
    Hub,
}

#[derive(Clone)]
struct Person {
    id: Uuid,
    name: String,
}

/// Everything tickets are generated from: the directory, the team and the SLA targets.
struct Desk {
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
    async fn new(
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
    fn ticket(
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

/// Creates the tenants (those whose slug exists are reused), big ones first.
async fn seed_tenants(
    store: &dyn Store,
    plan: &SeedPlan,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    report: &mut SeedReport,
) -> Result<Vec<Tenant>, SeedError> {
    let mut seen = HashSet::new();
    let mut tenants = Vec::with_capacity(plan.tenants as usize);
    let mut fresh = Vec::new();
    for rank in 0..plan.tenants as usize {
        let base = format!(
            "{} {}",
            pick(rng, TENANT_PREFIXES),
            pick(rng, TENANT_SUFFIXES)
        );
        let mut name = base.clone();
        let mut n = 2;
        while !seen.insert(name.to_lowercase()) {
            name = format!("{base} {n}");
            n += 1;
        }
        let slug = name.to_lowercase().replace(' ', "-");
        // The biggest customers are on the biggest plans.
        let share = rank as f64 / plan.tenants as f64;
        let tier = if share < 0.05 {
            ["enterprise", "enterprise", "enterprise"]
        } else if share < 0.3 {
            ["business", "business", "starter"]
        } else {
            ["starter", "free", "business"]
        };
        let status = match rng.gen_range(0..100) {
            0..=84 => TenantStatus::Active,
            85..=91 => TenantStatus::Trial,
            92..=95 => TenantStatus::Suspended,
            _ => TenantStatus::Churned,
        };
        let status = if share < 0.05 {
            TenantStatus::Active
        } else {
            status
        };
        let created =
            now - Duration::days(HISTORY_DAYS) - Duration::days(rng.gen_range(0..5 * 365))
                + Duration::days(if share < 0.3 {
                    0
                } else {
                    rng.gen_range(0..300)
                });
        let draft = TenantDraft {
            name,
            plan: pick(rng, &tier).to_owned(),
            slug: slug.clone(),
            status,
        };
        let id = id_at(rng, created);
        let id = match store.tenant_by_slug(&slug).await? {
            Some(t) => t.id,
            None => {
                fresh.push((id, draft, created));
                id
            }
        };
        tenants.push(Tenant { id, slug });
    }
    report.tenants_created = fresh.len() as u32;
    for chunk in fresh.chunks(1_000) {
        store
            .seed_batch(SeedBatch {
                tenants: chunk.to_vec(),
                tickets: Vec::new(),
            })
            .await?;
    }
    Ok(tenants)
}

/// How many of each role a team of `n` has: mostly agents, at least one of everyone.
fn team(n: u32) -> Vec<Role> {
    let share = |pct: u32| (n * pct / 100).max(1);
    let mut roles = Vec::new();
    for (role, count) in [
        (Role::Admin, share(3)),
        (Role::SecurityOfficer, share(3)),
        (Role::Manager, share(6)),
        (Role::Engineer, share(12)),
        (Role::SeniorAgent, share(15)),
        (Role::Viewer, share(5)),
    ] {
        roles.extend(std::iter::repeat_n(role, count as usize));
    }
    let agents = n.saturating_sub(roles.len() as u32).max(1);
    roles.extend(std::iter::repeat_n(Role::Agent, agents as usize));
    roles
}

/// Creates the staff as invited (those whose username exists are reused).
async fn seed_staff(
    store: &dyn Store,
    plan: &SeedPlan,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    report: &mut SeedReport,
) -> Result<Vec<(Person, Role)>, SeedError> {
    let mut seen = HashSet::new();
    let mut staff = Vec::new();
    for role in team(plan.staff) {
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        let mut username = base.clone();
        let mut n = 2;
        while !seen.insert(username.clone()) {
            username = format!("{base}{n}");
            n += 1;
        }
        let joined = now - Duration::days(HISTORY_DAYS + rng.gen_range(0..365));
        let id = id_at(rng, joined);
        let name = format!("{first} {last}");
        let id = match store.staff_by_username(&username).await? {
            Some(s) => s.id,
            None => {
                // Seeded staff start invited, like real ones; an admin reissues their invite.
                let token = crate::secrets::new_token("odi_");
                let invite = NewInvite {
                    id: Uuid::now_v7(),
                    token_hash: crate::secrets::token_hash(&token),
                    staff_id: id,
                    kind: InviteKind::Enroll,
                    created_by: None,
                    created_at: now,
                    expires_at: now + Duration::hours(72),
                };
                let new = NewStaff {
                    id,
                    email: format!("{username}@seed.opsdesk.invalid"),
                    username,
                    display_name: name.clone(),
                    role,
                    created_at: joined,
                };
                store.create_staff(new, invite, Effects::default()).await?;
                report.staff_created += 1;
                id
            }
        };
        staff.push((Person { id, name }, role));
    }
    Ok(staff)
}

/// A group by name, created with `members` if missing.
async fn seed_group(
    store: &dyn Store,
    rng: &mut StdRng,
    name: &str,
    members: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Uuid, SeedError> {
    let id = id_at(rng, now);
    if let Some(g) = store
        .list_groups()
        .await?
        .into_iter()
        .find(|g| g.name == name)
    {
        return Ok(g.id);
    }
    store
        .create_group(id, name, members, now, Effects::default())
        .await?;
    Ok(id)
}

// ---- text ------------------------------------------------------------------------------------

/// What a ticket is about: its tag, subjects and the requester's first lines.
struct Topic {
    tag: &'static str,
    weight: f64,
    subjects: &'static [&'static str],
    problems: &'static [&'static str],
}

fn subject(rng: &mut StdRng, topic: &Topic) -> String {
    let s = pick(rng, topic.subjects);
    match rng.gen_range(0..10) {
        0 => format!("Urgent: {s}"),
        1 => format!("Re: {s}"),
        _ => s.to_owned(),
    }
}

fn detail(rng: &mut StdRng) -> String {
    match rng.gen_range(0..100) {
        // Rare words, so search has needles as well as haystacks.
        0..=1 => format!(
            "We use {} on our side, in case that matters.",
            pick(rng, RARE_WORDS)
        ),
        2..=19 => format!(
            "The error code is ERR-{} and it shows up in the browser console.",
            rng.gen_range(1000..10_000)
        ),
        20..=34 => format!("About {} of our users are affected.", rng.gen_range(2..400)),
        _ => pick(rng, DETAILS).to_owned(),
    }
}

fn opening(rng: &mut StdRng, topic: &Topic) -> String {
    let mut s = format!("{}\n\n{}", pick(rng, GREETINGS), pick(rng, topic.problems));
    for _ in 0..rng.gen_range(1..=2) {
        s.push(' ');
        s.push_str(&detail(rng));
    }
    s.push_str("\n\n");
    s.push_str(pick(rng, SIGN_OFFS));
    s
}

fn follow_up(rng: &mut StdRng) -> String {
    let mut s = pick(rng, FOLLOW_UPS).to_owned();
    if rng.gen_bool(0.4) {
        s.push(' ');
        s.push_str(&detail(rng));
    }
    s
}

fn reply(rng: &mut StdRng) -> String {
    format!(
        "{} {} {}",
        pick(rng, STAFF_OPENERS),
        pick(rng, STAFF_STEPS),
        pick(rng, STAFF_CLOSERS)
    )
}

fn note(rng: &mut StdRng) -> String {
    let n = pick(rng, NOTES);
    if rng.gen_bool(0.2) {
        format!(
            "{n} Seen with ERR-{} in the gateway logs.",
            rng.gen_range(1000..10_000)
        )
    } else {
        n.to_owned()
    }
}

fn solution(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, SOLUTIONS), pick(rng, STAFF_CLOSERS))
}

const TOPICS: &[Topic] = &[
    Topic {
        tag: "login",
        weight: 18.0,
        subjects: &[
            "Cannot log in to the dashboard",
            "Password reset link expired",
            "Locked out after too many attempts",
            "Two-factor codes are not accepted",
            "Single sign-on loops back to the login page",
            "Session keeps timing out",
        ],
        problems: &[
            "When I try to sign in I get invalid credentials even though the password is correct.",
            "The password reset link expired before I could use it, and the new one expired too.",
            "Several of our users are locked out since this morning.",
            "The two-factor code from the authenticator app is rejected every time.",
            "Single sign-on through our identity provider sends us back to the login page.",
            "We are logged out every few minutes while working in the dashboard.",
        ],
    },
    Topic {
        tag: "billing",
        weight: 14.0,
        subjects: &[
            "Invoice shows the wrong amount",
            "Charged twice this month",
            "Need copies of last year's invoices",
            "Card declined on renewal",
            "VAT number missing on the invoice",
            "Question about proration after upgrading",
        ],
        problems: &[
            "Our latest invoice shows a higher amount than the plan we signed up for.",
            "We were charged twice for the same subscription period.",
            "Our finance team needs copies of every invoice from last year.",
            "The card payment was declined when the subscription renewed.",
            "Our VAT number does not appear on the invoice, so accounting cannot book it.",
            "We upgraded mid-month and do not understand the prorated charge.",
        ],
    },
    Topic {
        tag: "how-to",
        weight: 12.0,
        subjects: &[
            "How do I set up custom fields?",
            "How to change the workspace time zone",
            "Where can I find the activity log?",
            "How do I move projects between workspaces?",
            "Can we rename our workspace?",
        ],
        problems: &[
            "I could not find in the documentation how to set up custom fields for our team.",
            "How do we change the time zone of the workspace? Reports use the wrong one.",
            "Where can admins see who changed what in our workspace?",
            "We need to move a few projects from one workspace to another.",
            "Our company changed its name and we would like to rename the workspace.",
        ],
    },
    Topic {
        tag: "api",
        weight: 10.0,
        subjects: &[
            "API returns 500 errors",
            "Webhook deliveries failing",
            "Rate limit reached unexpectedly",
            "API token stopped working",
            "Pagination returns duplicate records",
        ],
        problems: &[
            "Calls to the REST API return 500 errors for about a third of requests.",
            "Webhook deliveries to our endpoint fail with a timeout since yesterday.",
            "We hit the rate limit although we send far fewer requests than the documented limit.",
            "Our API token stopped working without anyone revoking it.",
            "Paging through the records endpoint returns the same records twice.",
        ],
    },
    Topic {
        tag: "performance",
        weight: 8.0,
        subjects: &[
            "Dashboard is very slow",
            "Reports time out",
            "Search takes more than a minute",
            "Page loads are slow in the afternoon",
        ],
        problems: &[
            "The dashboard takes more than thirty seconds to load for everyone in the team.",
            "Monthly reports time out before they finish.",
            "Searching for a customer takes more than a minute.",
            "Everything becomes slow in the afternoon, European time.",
        ],
    },
    Topic {
        tag: "users",
        weight: 8.0,
        subjects: &[
            "Add more seats to our plan",
            "Remove a former employee",
            "Change the account owner",
            "Invitation emails are not arriving",
        ],
        problems: &[
            "We need ten more seats for a new team starting next week.",
            "Please remove a former employee who still has access to our account.",
            "The account owner left the company; we need to transfer ownership.",
            "New colleagues never receive the invitation email.",
        ],
    },
    Topic {
        tag: "email",
        weight: 7.0,
        subjects: &[
            "Notification emails go to spam",
            "Not receiving notifications",
            "Daily digest sent twice",
        ],
        problems: &[
            "Notification emails land in the spam folder for most of our users.",
            "We stopped receiving notifications about new comments.",
            "The daily digest arrives twice every morning.",
        ],
    },
    Topic {
        tag: "data-export",
        weight: 6.0,
        subjects: &[
            "CSV export is missing rows",
            "Import fails on large files",
            "Data not syncing between workspaces",
        ],
        problems: &[
            "The CSV export has fewer rows than the list shows in the app.",
            "Importing a spreadsheet with more than ten thousand rows fails halfway.",
            "Changes made in one workspace do not show up in the other one.",
        ],
    },
    Topic {
        tag: "mobile",
        weight: 5.0,
        subjects: &[
            "iOS app crashes on launch",
            "Android app does not sync",
            "Push notifications stopped",
        ],
        problems: &[
            "The iOS app crashes right after the splash screen since the last update.",
            "The Android app shows data from last week and does not sync.",
            "Push notifications stopped arriving on our phones.",
        ],
    },
    Topic {
        tag: "feature-request",
        weight: 5.0,
        subjects: &[
            "Feature request: dark mode",
            "Can we schedule reports?",
            "Request: bulk edit for records",
        ],
        problems: &[
            "Our team works late and would love a dark mode.",
            "We would like reports to be emailed every Monday morning.",
            "Editing records one by one takes hours; a bulk edit would help a lot.",
        ],
    },
    Topic {
        tag: "security",
        weight: 4.0,
        subjects: &[
            "Request for the data processing agreement",
            "Suspicious login alert",
            "GDPR deletion request",
            "Need the latest SOC 2 report",
        ],
        problems: &[
            "Our legal team needs a signed data processing agreement.",
            "We received an alert about a login from a country where we have no staff.",
            "A customer asked us to delete their personal data under GDPR.",
            "Our auditors ask for your latest SOC 2 report.",
        ],
    },
    Topic {
        tag: "outage",
        weight: 3.0,
        subjects: &[
            "Service unavailable",
            "Everything is down for our team",
            "Intermittent 502 errors",
        ],
        problems: &[
            "The whole application shows service unavailable for our team.",
            "Nobody in our company can reach the app right now.",
            "We see intermittent 502 errors on every page.",
        ],
    },
];

const EXTRA_TAGS: &[&str] = &[
    "bug",
    "vip",
    "follow-up",
    "enterprise",
    "regression",
    "docs",
    "onboarding",
    "urgent",
    "known-issue",
    "sso",
    "webhook",
    "invoice",
    "refund",
    "ios",
    "android",
    "csv",
    "churn-risk",
    "translation",
    "accessibility",
    "gdpr",
];

const GREETINGS: &[&str] = &[
    "Hi team,",
    "Hello,",
    "Good morning,",
    "Hi there,",
    "Dear support,",
    "Hey,",
];

const DETAILS: &[&str] = &[
    "It started after the release last Tuesday.",
    "We tried another browser and cleared the cache, same result.",
    "This is blocking our month-end close.",
    "It works for admins but not for regular users.",
    "Nothing changed on our side as far as I know.",
    "It happens on both Chrome and Firefox.",
    "Our customers are starting to complain.",
    "I attached a screenshot of the error message.",
    "It worked fine until yesterday afternoon.",
    "Our IT department checked the firewall and it is not blocking anything.",
];

const SIGN_OFFS: &[&str] = &[
    "Thanks,",
    "Best regards,",
    "Thank you for your help.",
    "Kind regards,",
    "Cheers,",
    "Looking forward to your reply.",
];

const FOLLOW_UPS: &[&str] = &[
    "Any update on this? It is still happening.",
    "Thanks, I tried that but the problem is still there.",
    "Here is the screenshot you asked for.",
    "It happened again this morning.",
    "That seems to have helped, but one user still sees the error.",
    "Could you give us an estimate for the fix?",
    "Our manager is asking for a status update.",
];

const STAFF_OPENERS: &[&str] = &[
    "Thanks for reaching out, and sorry for the trouble.",
    "Thank you for the details.",
    "Thanks for your patience.",
    "Sorry to hear about this.",
    "Thanks for the quick reply.",
];

const STAFF_STEPS: &[&str] = &[
    "Could you send us a screenshot of the error and the time it happened?",
    "Please clear your browser cache and sign in again.",
    "I have reset the session for the affected users; please try again.",
    "Our engineers are looking into it and I will update you as soon as I hear back.",
    "I have forwarded this to our billing team, who will correct the invoice.",
    "Could you confirm which browser and version you are using?",
    "The fix is scheduled for the next release, planned for next week.",
    "You can find this under Settings, then Workspace, then Advanced.",
    "I have added the seats to your subscription; the invoice will follow.",
    "We identified a configuration issue on our side and corrected it.",
];

const STAFF_CLOSERS: &[&str] = &[
    "Let me know if there is anything else.",
    "I will keep this ticket open until we hear from you.",
    "Have a great day.",
    "Please reply here if the problem comes back.",
];

const SOLUTIONS: &[&str] = &[
    "Glad to hear it works now; I am marking this ticket as solved.",
    "The fix has been deployed and the issue should be resolved.",
    "The corrected invoice is now available in your billing settings.",
    "Your request has been completed.",
    "We refunded the duplicate charge; it will appear on your statement in a few days.",
];

const NOTES: &[&str] = &[
    "Checked the logs: requests time out at the load balancer.",
    "Customer is on a legacy plan, priority adjusted.",
    "Looks like a duplicate of an earlier ticket from the same tenant.",
    "Waiting on engineering for a fix.",
    "Reproduced on staging with the customer's settings.",
    "Known issue, linked to the incident from last week.",
    "Asked billing to issue a credit note.",
    "Identity provider metadata expired; customer needs to upload the new certificate.",
];

const ESCALATION_REASONS: &[&str] = &[
    "resolution target breached",
    "needs database access to investigate",
    "customer threatens to churn",
    "affects several tenants",
    "requires a code change",
];

const RARE_WORDS: &[&str] = &[
    "kerberos", "punycode", "webdav", "scim", "xliff", "brotli", "protobuf", "ipv6", "hsts", "ldap",
];

const FIRST_NAMES: &[&str] = &[
    "Ana", "Amir", "Ben", "Chloe", "David", "Elena", "Farah", "Gustav", "Hannah", "Ivan", "Jana",
    "Kofi", "Lena", "Marco", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Samir", "Tara", "Umar",
    "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Lucas", "Mia", "Noah", "Olivia", "Leon", "Emma",
    "Hugo", "Sofia", "Arjun", "Mei", "Tomas", "Ines", "Kenji",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Garcia",
    "Muller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "Jensen",
    "Silva",
    "Okafor",
    "Haddad",
    "Sato",
    "Kim",
    "Nguyen",
    "Patel",
    "Cohen",
    "Larsen",
    "Ivanova",
    "Brown",
    "Walsh",
    "Fischer",
    "Moreau",
    "Costa",
    "Horvat",
    "Berg",
    "Lindqvist",
    "Tanaka",
    "Mendes",
    "Ahmed",
    "Schmidt",
    "Martin",
    "Lopez",
    "Weber",
    "Fernandez",
    "Popescu",
    "Nakamura",
    "Young",
    "Singh",
    "Ali",
    "Keller",
];

const TENANT_PREFIXES: &[&str] = &[
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Vandelay",
    "Wonka",
    "Oceanic",
    "Pied Piper",
    "Massive",
    "Aperture",
    "Black Mesa",
    "Gringotts",
    "Monarch",
    "Blue Harbor",
    "Red Pine",
    "Silver Oak",
    "Golden Gate",
    "Evergreen",
    "Summit",
    "Horizon",
    "Nimbus",
    "Polaris",
    "Orion",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
];

const TENANT_SUFFIXES: &[&str] = &[
    "Logistics",
    "Health",
    "Labs",
    "Foods",
    "Bank",
    "Media",
    "Analytics",
    "Retail",
    "Travel",
    "Energy",
    "Studios",
    "Systems",
    "Partners",
    "Insurance",
    "Robotics",
    "Education",
    "Games",
    "Legal",
    "Pharma",
    "Motors",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SeedPlan {
        SeedPlan::new(
            100,
            10,
            DateTime::from_timestamp(1_800_000_000, 0).expect("time"),
        )
    }

    #[test]
    fn sizes_are_checked_with_the_option_and_its_range() {
        assert!(plan().check().is_ok());
        let e = SeedPlan {
            tickets: 0,
            ..plan()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.to_string(), "--tickets must be between 1 and 10000000");
        let e = SeedPlan {
            tickets: MAX_TICKETS + 1,
            ..plan()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().starts_with("--tickets"), "{e}");
        let e = SeedPlan { staff: 3, ..plan() }.check().unwrap_err();
        assert!(e.to_string().starts_with("--staff"), "{e}");
        let e = SeedPlan {
            tenants: 0,
            ..plan()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().starts_with("--tenants"), "{e}");
    }

    #[test]
    fn the_team_has_every_role_and_mostly_agents() {
        for n in [7, 60, 500] {
            let roles = team(n);
            assert_eq!(roles.len(), n as usize, "team of {n}");
            for r in Role::ALL {
                assert!(roles.contains(&r), "team of {n} lacks {r:?}");
            }
            let agents = roles.iter().filter(|r| **r == Role::Agent).count();
            assert!(
                agents * 2 >= n as usize || n < 10,
                "team of {n}: {agents} agents"
            );
        }
    }

    #[test]
    fn every_text_passes_the_ticket_rules() {
        let mut rng = StdRng::seed_from_u64(7);
        for topic in TOPICS {
            for _ in 0..20 {
                opsdesk_core::ticket::check_subject(&subject(&mut rng, topic)).expect("subject");
                opsdesk_core::ticket::check_body(&opening(&mut rng, topic)).expect("opening");
            }
            opsdesk_core::ticket::check_tag(topic.tag).expect("topic tag");
        }
        for t in EXTRA_TAGS {
            opsdesk_core::ticket::check_tag(t).expect("tag");
        }
        for p in TENANT_PREFIXES {
            for s in TENANT_SUFFIXES {
                let slug = format!("{p} {s} 12").to_lowercase().replace(' ', "-");
                opsdesk_core::tenant::check_slug(&slug).expect("slug");
            }
        }
        for f in FIRST_NAMES {
            for l in LAST_NAMES {
                let u = format!("{}.{}99", f.to_lowercase(), l.to_lowercase());
                opsdesk_core::validate::Username::parse(&u).expect("username");
            }
        }
    }
}

//! The dataset generator behind `opsdesk-hub seed`: a desk shaped like a real one (Zipf-sized
//! tenants, staff of every role, two years of tickets with conversations and SLA clocks that
//! agree with their status), deterministic from a seed, written through `Store::seed_batch` in
//! batches, with one audit entry for the whole run. Benchmarks and the app's demo reuse it.

pub mod demo;
mod desk;
mod directory;

pub use self::directory::seed_tenant_users;
mod text;

use self::desk::Desk;
use crate::support::effects::audit;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::Granted;
use opsdesk_store::{Effects, SeedBatch, Store, StoreError, TicketSpec};
use rand::distributions::WeightedIndex;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
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
                .seed_batch(
                    &Granted::system(),
                    SeedBatch {
                        tenants: Vec::new(),
                        tickets,
                    },
                )
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

/// A UUIDv7 for `at` with random bits from the generator, so ids are deterministic and rows go
/// into the id index in time order.
pub(crate) fn id_at(rng: &mut StdRng, at: DateTime<Utc>) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
}

pub(crate) fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Weights `1 / (rank + 1)^s`: a few heavy items and a long tail.
pub(crate) fn zipf(n: usize, s: f64) -> WeightedIndex<f64> {
    WeightedIndex::new((0..n.max(1)).map(|k| 1.0 / ((k + 1) as f64).powf(s)))
        .expect("zipf weights are positive")
}

pub(crate) struct Tenant {
    id: Uuid,
    slug: String,
}

/// Who wrote a generated message.
#[derive(Clone, Copy)]
pub(crate) enum Author {
    Requester,
    Staff,
    Hub,
}

#[derive(Clone)]
pub(crate) struct Person {
    id: Uuid,
    name: String,
}

#[cfg(test)]
mod tests {
    use super::directory::team;
    use super::text::{
        opening, subject, EXTRA_TAGS, FIRST_NAMES, LAST_NAMES, TENANT_PREFIXES, TENANT_SUFFIXES,
        TOPICS,
    };
    use super::*;
    use opsdesk_core::Role;

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

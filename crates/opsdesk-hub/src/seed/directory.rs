//! The people and places of a generated desk: tenants, staff of every role, groups, and a
//! tenant's users.

use super::text::{FIRST_NAMES, LAST_NAMES, TENANT_PREFIXES, TENANT_SUFFIXES};
use super::{id_at, pick, Person, SeedError, SeedPlan, SeedReport, Tenant, HISTORY_DAYS};
use crate::support::effects::audit;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::Role;
use opsdesk_proto::TenantStatus;
use opsdesk_store::{Effects, InviteKind, NewInvite, NewStaff, SeedBatch, Store, TenantDraft};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

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
    use opsdesk_core::proof::TenantDataLoad;
    use opsdesk_store::{NewTenantSignIn, TenantUserDraft};
    // Seeding is the hub itself loading the platform's directory.
    let admin = Granted::<cap::TenantsManage>::system();
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

/// Creates the tenants (those whose slug exists are reused), big ones first.
pub(crate) async fn seed_tenants(
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
            .seed_batch(
                &Granted::system(),
                SeedBatch {
                    tenants: chunk.to_vec(),
                    tickets: Vec::new(),
                },
            )
            .await?;
    }
    Ok(tenants)
}

/// How many of each role a team of `n` has: mostly agents, at least one of everyone.
pub(crate) fn team(n: u32) -> Vec<Role> {
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
pub(crate) async fn seed_staff(
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
                store
                    .create_staff(&Granted::system(), new, invite, Effects::default())
                    .await?;
                report.staff_created += 1;
                id
            }
        };
        staff.push((Person { id, name }, role));
    }
    Ok(staff)
}

/// A group by name, created with `members` if missing.
pub(crate) async fn seed_group(
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
        .create_group(
            &Granted::system(),
            id,
            name,
            members,
            now,
            Effects::default(),
        )
        .await?;
    Ok(id)
}

//! Cross-tenant access in the app: which tenant's data the session has in scope (the header's
//! tenant switcher) and the grants that can open one. Held in memory for the session only:
//! grants and the selection are never written to the cache, and tenant data never is at all.
//! Which grant opens a tenant is decided by the same rule the hub applies
//! ([`opsdesk_core::access::pick_grant`]), with the clock passed in.

use crate::error::ClientError;
use chrono::{DateTime, Utc};
use opsdesk_core::access::{pick_grant, AccessDenied, GrantFacts, GrantState};
use opsdesk_proto::{AccessScope, GrantView, TenantRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The hub's answers that mean no grant of this session opens the tenant any more (as opposed
/// to `grant_scope_too_narrow`: a grant opens it, just not for that action).
pub const GRANT_GONE_CODES: &[&str] = &["no_active_grant", "grant_ended", "grant_not_started"];

/// What the tenant switcher shows: the tenant in scope, the grant that opens it, and my current
/// grants to switch between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TenantScope {
    /// The tenant whose data is in scope; none means "No tenant".
    pub tenant: Option<TenantRef>,
    /// The grant that opens it: the widest active one, latest ending first.
    pub grant: Option<GrantView>,
    /// My grants that have not ended (active or scheduled), soonest ending first.
    pub grants: Vec<GrantView>,
    /// A tenant whose access ended since the switcher last asked, to say so once.
    pub ended: Option<TenantRef>,
}

/// The session's access state, in memory only.
#[derive(Debug, Default)]
pub(crate) struct AccessMemory {
    selected: Option<TenantRef>,
    /// My current grants as last heard from the hub.
    grants: Vec<GrantView>,
    ended: Option<TenantRef>,
}

/// The facts of `g` as this computer's clock sees them at `now`. A grant the hub called active
/// counts as started whatever this clock says: a desktop a few minutes behind the hub must not
/// hold back a grant approved a moment ago. Its end is by this clock (the hub refuses at its own).
fn facts(g: &GrantView, now: DateTime<Utc>) -> GrantFacts {
    let starts_at = if g.state == GrantState::Active {
        g.starts_at.min(now)
    } else {
        g.starts_at
    };
    GrantFacts {
        grant_id: g.id,
        holder_id: g.holder.id,
        tenant_id: g.tenant.id,
        scope: g.scope,
        starts_at,
        ends_at: g.ends_at,
        ended_at: g.ended_at,
    }
}

/// Whether `g` has not ended at `now` (the hub said so, or its end passed).
fn current(g: &GrantView, now: DateTime<Utc>) -> bool {
    g.state != GrantState::Ended && facts(g, now).state(now) != GrantState::Ended
}

impl AccessMemory {
    /// The grant among mine that opens `tenant_id` for `needed` at `now`, or why none does.
    fn pick(
        &self,
        holder: Uuid,
        tenant_id: Uuid,
        needed: AccessScope,
        now: DateTime<Utc>,
    ) -> Result<&GrantView, AccessDenied> {
        let all: Vec<GrantFacts> = self
            .grants
            .iter()
            .filter(|g| g.state != GrantState::Ended)
            .map(|g| facts(g, now))
            .collect();
        let chosen = pick_grant(&all, holder, tenant_id, needed, now)?;
        self.grants
            .iter()
            .find(|g| g.id == chosen.grant_id)
            .ok_or(AccessDenied::NoGrant)
    }

    /// The widest grant that opens `tenant_id` at `now` (latest ending among equals): what the
    /// portal may do there.
    fn widest(&self, holder: Uuid, tenant_id: Uuid, now: DateTime<Utc>) -> Option<&GrantView> {
        [AccessScope::Admin, AccessScope::Support, AccessScope::Read]
            .into_iter()
            .find_map(|needed| self.pick(holder, tenant_id, needed, now).ok())
    }

    /// Drops the selection when no grant opens it any more, remembering it as ended.
    fn settle(&mut self, holder: Uuid, now: DateTime<Utc>) {
        let Some(tenant) = &self.selected else { return };
        if self
            .pick(holder, tenant.id, AccessScope::Read, now)
            .is_err()
        {
            self.ended = self.selected.take();
        }
    }

    /// Takes my current grants as the hub listed them (grants of others are ignored).
    pub(crate) fn refresh(&mut self, holder: Uuid, grants: Vec<GrantView>, now: DateTime<Utc>) {
        self.grants = grants
            .into_iter()
            .filter(|g| g.holder.id == holder && current(g, now))
            .collect();
        self.grants.sort_by_key(|g| g.ends_at);
        self.settle(holder, now);
    }

    /// Takes one grant the hub answered with (after a release or a revocation).
    pub(crate) fn update(&mut self, holder: Uuid, grant: &GrantView, now: DateTime<Utc>) {
        if grant.holder.id != holder {
            return;
        }
        self.grants.retain(|g| g.id != grant.id);
        if current(grant, now) {
            self.grants.push(grant.clone());
            self.grants.sort_by_key(|g| g.ends_at);
        }
        self.settle(holder, now);
    }

    /// Puts `tenant_id`'s data in scope (or none). Refused, with the hub's code, when none of my
    /// grants opens it now.
    pub(crate) fn select(
        &mut self,
        holder: Uuid,
        tenant_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<(), ClientError> {
        self.ended = None;
        let Some(tenant_id) = tenant_id else {
            self.selected = None;
            return Ok(());
        };
        match self.pick(holder, tenant_id, AccessScope::Read, now) {
            Ok(g) => {
                self.selected = Some(g.tenant.clone());
                Ok(())
            }
            Err(denied) => Err(ClientError::TenantAccess {
                code: denied.code().to_owned(),
                message: denied.to_string(),
            }),
        }
    }

    /// Tenant data may be asked for only for the tenant in scope.
    pub(crate) fn gate(&self, tenant_id: Uuid) -> Result<(), ClientError> {
        match &self.selected {
            Some(t) if t.id == tenant_id => Ok(()),
            Some(t) => Err(ClientError::TenantAccess {
                code: "tenant_not_selected".to_owned(),
                message: format!(
                    "{} is the tenant in scope; switch tenants in the header first",
                    t.name
                ),
            }),
            None => Err(ClientError::TenantAccess {
                code: "tenant_not_selected".to_owned(),
                message: "no tenant is in scope; pick one of your grants in the header's tenant \
                          switcher first"
                    .to_owned(),
            }),
        }
    }

    /// The hub refused `tenant_id`'s data for want of a grant: if it is the tenant in scope, it
    /// leaves scope and is reported as ended.
    pub(crate) fn denied(&mut self, tenant_id: Uuid) {
        if self.selected.as_ref().is_some_and(|t| t.id == tenant_id) {
            self.ended = self.selected.take();
            self.grants.retain(|g| g.tenant.id != tenant_id);
        }
    }

    /// What the switcher shows; an ended tenant is reported once.
    pub(crate) fn scope(&mut self, holder: Uuid, now: DateTime<Utc>) -> TenantScope {
        self.settle(holder, now);
        let grant = self
            .selected
            .as_ref()
            .and_then(|t| self.widest(holder, t.id, now))
            .cloned();
        TenantScope {
            tenant: self.selected.clone(),
            grant,
            grants: self
                .grants
                .iter()
                .filter(|g| current(g, now))
                .cloned()
                .collect(),
            ended: self.ended.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use opsdesk_core::Role;
    use opsdesk_proto::StaffRef;

    fn me() -> Uuid {
        Uuid::from_u128(1)
    }

    fn tenant(n: u128) -> TenantRef {
        TenantRef {
            id: Uuid::from_u128(100 + n),
            name: format!("Tenant {n}"),
            slug: format!("t{n}"),
        }
    }

    fn grant(
        n: u128,
        tenant_n: u128,
        scope: AccessScope,
        now: DateTime<Utc>,
        left: Duration,
    ) -> GrantView {
        GrantView {
            id: Uuid::from_u128(1000 + n),
            request_id: Uuid::from_u128(2000 + n),
            tenant: tenant(tenant_n),
            holder: StaffRef {
                id: me(),
                display_name: "Mia".into(),
                role: Role::Agent,
            },
            scope,
            starts_at: now - Duration::minutes(5),
            ends_at: now + left,
            ended_at: None,
            end_reason: None,
            ended_by: None,
            end_comment: None,
            state: GrantState::Active,
        }
    }

    #[test]
    fn a_tenant_is_selected_only_under_an_active_grant_and_shows_its_widest_grant() {
        let now = Utc::now();
        let mut m = AccessMemory::default();
        let err = m.select(me(), Some(tenant(1).id), now).unwrap_err();
        assert_eq!(err.to_ui().code, "no_active_grant");

        let read = grant(1, 1, AccessScope::Read, now, Duration::hours(2));
        let support = grant(2, 1, AccessScope::Support, now, Duration::minutes(30));
        let mut scheduled = grant(3, 2, AccessScope::Read, now, Duration::hours(3));
        scheduled.starts_at = now + Duration::hours(1);
        scheduled.state = GrantState::Scheduled;
        m.refresh(me(), vec![read, support.clone(), scheduled], now);

        m.select(me(), Some(tenant(1).id), now).unwrap();
        let scope = m.scope(me(), now);
        assert_eq!(scope.tenant, Some(tenant(1)));
        assert_eq!(scope.grant.map(|g| g.id), Some(support.id));
        assert_eq!(scope.grants.len(), 3, "scheduled grants are listed too");
        assert_eq!(scope.grants[0].id, support.id, "soonest ending first");

        let err = m.select(me(), Some(tenant(2).id), now).unwrap_err();
        assert_eq!(err.to_ui().code, "grant_not_started");
        m.select(me(), None, now).unwrap();
        assert_eq!(m.scope(me(), now).tenant, None);
    }

    #[test]
    fn the_selection_ends_with_its_last_grant_and_is_reported_once() {
        let now = Utc::now();
        let mut m = AccessMemory::default();
        let g = grant(1, 1, AccessScope::Read, now, Duration::minutes(10));
        m.refresh(me(), vec![g.clone()], now);
        m.select(me(), Some(tenant(1).id), now).unwrap();
        assert!(m.gate(tenant(1).id).is_ok());
        assert_eq!(
            m.gate(tenant(2).id).unwrap_err().to_ui().code,
            "tenant_not_selected"
        );

        // Its end passes: the switcher says so once, and tenant data is closed.
        let later = now + Duration::minutes(11);
        let scope = m.scope(me(), later);
        assert_eq!((scope.tenant, scope.ended), (None, Some(tenant(1))));
        assert_eq!(m.scope(me(), later).ended, None);
        assert!(m.gate(tenant(1).id).is_err());

        // Released: the hub's answer ends it at once.
        m.refresh(me(), vec![g.clone()], now);
        m.select(me(), Some(tenant(1).id), now).unwrap();
        let mut released = g.clone();
        released.ended_at = Some(now);
        released.state = GrantState::Ended;
        m.update(me(), &released, now);
        let scope = m.scope(me(), now);
        assert_eq!(scope.tenant, None);
        assert_eq!(scope.ended, Some(tenant(1)));
        assert!(scope.grants.is_empty());

        // The hub refusing the tenant's data closes it too.
        m.refresh(me(), vec![g], now);
        m.select(me(), Some(tenant(1).id), now).unwrap();
        m.denied(tenant(1).id);
        assert_eq!(m.scope(me(), now).ended, Some(tenant(1)));
    }

    #[test]
    fn a_grant_the_hub_calls_active_opens_at_once_on_a_clock_behind_the_hub() {
        let hub_now = Utc::now();
        let mut g = grant(1, 1, AccessScope::Read, hub_now, Duration::hours(1));
        g.starts_at = hub_now;
        let behind = hub_now - Duration::minutes(4);
        let mut m = AccessMemory::default();
        m.refresh(me(), vec![g.clone()], behind);
        m.select(me(), Some(tenant(1).id), behind).unwrap();
        assert_eq!(m.scope(me(), behind).grant.map(|x| x.id), Some(g.id));

        // One the hub still calls scheduled waits for its start by this clock.
        let mut later = grant(2, 2, AccessScope::Read, hub_now, Duration::hours(2));
        later.starts_at = hub_now + Duration::minutes(30);
        later.state = GrantState::Scheduled;
        m.refresh(me(), vec![g, later], behind);
        let err = m.select(me(), Some(tenant(2).id), behind).unwrap_err();
        assert_eq!(err.to_ui().code, "grant_not_started");
    }

    #[test]
    fn grants_of_others_never_open_a_tenant_for_me() {
        let now = Utc::now();
        let mut m = AccessMemory::default();
        let mut theirs = grant(1, 1, AccessScope::Admin, now, Duration::hours(1));
        theirs.holder.id = Uuid::from_u128(2);
        m.refresh(me(), vec![theirs.clone()], now);
        assert!(m.select(me(), Some(tenant(1).id), now).is_err());
        m.update(me(), &theirs, now);
        assert!(m.scope(me(), now).grants.is_empty());
    }
}

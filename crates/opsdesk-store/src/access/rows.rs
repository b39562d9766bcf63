//! Cross-tenant access rows as the database returns them (requests, reviews, grants,
//! clearance), their queries' column lists, and their conversion into core facts and wire views.

use crate::common::{corrupt, opt_time, time, uuid};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_core::access::{Clearance, GrantEndReason, GrantFacts, RequestStatus};
use opsdesk_core::rules::AccessScope;
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::Role;
use opsdesk_proto::{AccessRequestView, ClearanceView, GrantView, ReviewView, StaffRef, TenantRef};
use std::str::FromStr;
use uuid::Uuid;

/// The request columns with their joined names, in [`AccessRequestRow`] order; `r` is
/// `access_requests`.
pub(crate) const REQUEST_SELECT: &str =
    "SELECT r.seq, r.id, r.tenant_id, te.name AS tenant_name, te.slug AS tenant_slug, \
     r.requester_id, s.display_name AS requester_name, s.role AS requester_role, \
     s.status AS requester_status, r.requester_tier, r.scope, r.reason, r.duration_minutes, \
     r.start_at, r.ticket_id, tk.seq AS ticket_number, r.status, r.created_at, r.expires_at, \
     r.decided_at, r.version \
     FROM access_requests r JOIN tenants te ON te.id = r.tenant_id \
     JOIN staff s ON s.id = r.requester_id \
     LEFT JOIN tickets tk ON tk.id = r.ticket_id";

/// The grant columns with their joined names, in [`GrantRow`] order; `g` is `grants`.
pub(crate) const GRANT_SELECT: &str =
    "SELECT g.id, g.holder_id, g.tenant_id, g.scope, g.starts_at, g.ends_at, g.ended_at, \
     g.request_id, te.name AS tenant_name, te.slug AS tenant_slug, \
     h.display_name AS holder_name, h.role AS holder_role, g.end_reason, g.ended_by, \
     e.display_name AS ended_by_name, e.role AS ended_by_role, g.end_comment \
     FROM grants g JOIN tenants te ON te.id = g.tenant_id \
     JOIN staff h ON h.id = g.holder_id \
     LEFT JOIN staff e ON e.id = g.ended_by";

/// The reviews of requests with their reviewers, in [`ReviewRow`] order; `v` is
/// `access_reviews`.
pub(crate) const REVIEW_SELECT: &str =
    "SELECT v.request_id, v.reviewer_id, s.display_name AS reviewer_name, \
     s.role AS reviewer_role, v.approved, v.comment, v.at \
     FROM access_reviews v JOIN staff s ON s.id = v.reviewer_id";

/// A staff member's clearance with who recorded it; `c` is `staff_clearance`.
pub(crate) const CLEARANCE_SELECT: &str =
    "SELECT c.staff_id, c.nda_at, c.background_check_at, c.training_at, c.recorded_by, \
     s.display_name AS recorded_by_name, s.role AS recorded_by_role, c.version \
     FROM staff_clearance c LEFT JOIN staff s ON s.id = c.recorded_by WHERE c.staff_id = $1";

/// The scope's stored name.
pub(crate) fn scope_name(scope: AccessScope) -> &'static str {
    match scope {
        AccessScope::Read => "read",
        AccessScope::Support => "support",
        AccessScope::Admin => "admin",
    }
}

fn parse_scope(s: &str) -> StoreResult<AccessScope> {
    [AccessScope::Read, AccessScope::Support, AccessScope::Admin]
        .into_iter()
        .find(|v| scope_name(*v) == s)
        .ok_or_else(|| corrupt("access scope", s))
}

fn staff_ref(id: &str, display_name: String, role: &str) -> StoreResult<StaffRef> {
    Ok(StaffRef {
        id: uuid(id)?,
        display_name,
        role: Role::from_str(role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

fn tenant_ref(id: &str, name: String, slug: String) -> StoreResult<TenantRef> {
    Ok(TenantRef {
        id: uuid(id)?,
        name,
        slug,
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccessRequestRow {
    seq: i64,
    pub(crate) id: String,
    tenant_id: String,
    tenant_name: String,
    tenant_slug: String,
    requester_id: String,
    requester_name: String,
    requester_role: String,
    requester_status: String,
    requester_tier: i64,
    scope: String,
    reason: String,
    duration_minutes: i64,
    start_at: Option<i64>,
    ticket_id: Option<String>,
    ticket_number: Option<i64>,
    status: String,
    created_at: i64,
    expires_at: i64,
    decided_at: Option<i64>,
    version: i64,
}

impl AccessRequestRow {
    /// The record, with the request's reviews (in order) and grant.
    pub(crate) fn into_record(
        self,
        reviews: Vec<ReviewView>,
        grant: Option<GrantView>,
    ) -> StoreResult<crate::AccessRequestRecord> {
        let scope = parse_scope(&self.scope)?;
        let view = AccessRequestView {
            id: uuid(&self.id)?,
            tenant: tenant_ref(&self.tenant_id, self.tenant_name, self.tenant_slug)?,
            requester: staff_ref(
                &self.requester_id,
                self.requester_name,
                &self.requester_role,
            )?,
            scope,
            reason: self.reason,
            duration_minutes: self.duration_minutes,
            start_at: opt_time(self.start_at)?,
            ticket_id: self.ticket_id.as_deref().map(uuid).transpose()?,
            ticket_number: self.ticket_number,
            status: RequestStatus::parse(&self.status)
                .ok_or_else(|| corrupt("request status", &self.status))?,
            created_at: time(self.created_at)?,
            expires_at: time(self.expires_at)?,
            decided_at: opt_time(self.decided_at)?,
            approvals_needed: u32::try_from(scope.approvals_needed()).unwrap_or(u32::MAX),
            reviews,
            grant,
            version: self.version,
            actions: Vec::new(),
        };
        Ok(crate::AccessRequestRecord {
            seq: self.seq,
            requester_tier: self.requester_tier,
            requester_active: self.requester_status == StaffStatus::Active.as_str(),
            view,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReviewRow {
    pub(crate) request_id: String,
    reviewer_id: String,
    reviewer_name: String,
    reviewer_role: String,
    approved: i64,
    comment: Option<String>,
    at: i64,
}

impl TryFrom<ReviewRow> for ReviewView {
    type Error = StoreError;
    fn try_from(r: ReviewRow) -> StoreResult<Self> {
        Ok(ReviewView {
            reviewer: staff_ref(&r.reviewer_id, r.reviewer_name, &r.reviewer_role)?,
            approved: r.approved != 0,
            comment: r.comment,
            at: time(r.at)?,
        })
    }
}

/// The columns of a grant that decide whether it opens a tenant.
#[derive(sqlx::FromRow)]
pub(crate) struct GrantFactsRow {
    id: String,
    holder_id: String,
    tenant_id: String,
    scope: String,
    starts_at: i64,
    ends_at: i64,
    ended_at: Option<i64>,
}

/// The [`GrantFactsRow`] columns, for queries without the joins.
pub(crate) const GRANT_FACTS_COLUMNS: &str =
    "id, holder_id, tenant_id, scope, starts_at, ends_at, ended_at";

impl TryFrom<&GrantFactsRow> for GrantFacts {
    type Error = StoreError;
    fn try_from(r: &GrantFactsRow) -> StoreResult<Self> {
        Ok(GrantFacts {
            grant_id: uuid(&r.id)?,
            holder_id: uuid(&r.holder_id)?,
            tenant_id: uuid(&r.tenant_id)?,
            scope: parse_scope(&r.scope)?,
            starts_at: time(r.starts_at)?,
            ends_at: time(r.ends_at)?,
            ended_at: opt_time(r.ended_at)?,
        })
    }
}

impl TryFrom<GrantFactsRow> for GrantFacts {
    type Error = StoreError;
    fn try_from(r: GrantFactsRow) -> StoreResult<Self> {
        GrantFacts::try_from(&r)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    #[sqlx(flatten)]
    facts: GrantFactsRow,
    pub(crate) request_id: String,
    tenant_name: String,
    tenant_slug: String,
    holder_name: String,
    holder_role: String,
    end_reason: Option<String>,
    ended_by: Option<String>,
    ended_by_name: Option<String>,
    ended_by_role: Option<String>,
    end_comment: Option<String>,
}

impl GrantRow {
    /// The view, its state as it is at `now`.
    pub(crate) fn into_view(self, now: DateTime<Utc>) -> StoreResult<GrantView> {
        let facts = GrantFacts::try_from(&self.facts)?;
        let ended_by = match (self.ended_by, self.ended_by_name, self.ended_by_role) {
            (Some(id), Some(name), Some(role)) => Some(staff_ref(&id, name, &role)?),
            _ => None,
        };
        Ok(GrantView {
            id: facts.grant_id,
            request_id: uuid(&self.request_id)?,
            tenant: tenant_ref(&self.facts.tenant_id, self.tenant_name, self.tenant_slug)?,
            holder: staff_ref(&self.facts.holder_id, self.holder_name, &self.holder_role)?,
            scope: facts.scope,
            starts_at: facts.starts_at,
            ends_at: facts.ends_at,
            ended_at: facts.ended_at,
            end_reason: self
                .end_reason
                .as_deref()
                .map(|r| GrantEndReason::parse(r).ok_or_else(|| corrupt("grant end reason", r)))
                .transpose()?,
            ended_by,
            end_comment: self.end_comment,
            state: facts.state(now),
        })
    }
}

/// Grant views at `now` from rows.
pub(crate) fn grant_views(rows: Vec<GrantRow>, now: DateTime<Utc>) -> StoreResult<Vec<GrantView>> {
    rows.into_iter().map(|r| r.into_view(now)).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct ClearanceRow {
    staff_id: String,
    nda_at: Option<i64>,
    background_check_at: Option<i64>,
    training_at: Option<i64>,
    recorded_by: Option<String>,
    recorded_by_name: Option<String>,
    recorded_by_role: Option<String>,
    version: i64,
}

impl TryFrom<&ClearanceRow> for Clearance {
    type Error = StoreError;
    fn try_from(r: &ClearanceRow) -> StoreResult<Self> {
        Ok(Clearance {
            nda_at: opt_time(r.nda_at)?,
            background_check_at: opt_time(r.background_check_at)?,
            training_at: opt_time(r.training_at)?,
        })
    }
}

/// The clearance view of `staff_id` from its row, or the empty one (version 0) without.
pub(crate) fn clearance_view(
    staff_id: Uuid,
    row: Option<ClearanceRow>,
) -> StoreResult<ClearanceView> {
    let Some(r) = row else {
        return Ok(view_of(staff_id, Clearance::default(), None, 0));
    };
    let clearance = Clearance::try_from(&r)?;
    let recorded_by = match (r.recorded_by, r.recorded_by_name, r.recorded_by_role) {
        (Some(id), Some(name), Some(role)) => Some(staff_ref(&id, name, &role)?),
        _ => None,
    };
    Ok(view_of(
        uuid(&r.staff_id)?,
        clearance,
        recorded_by,
        r.version,
    ))
}

fn view_of(
    staff_id: Uuid,
    c: Clearance,
    recorded_by: Option<StaffRef>,
    version: i64,
) -> ClearanceView {
    ClearanceView {
        staff_id,
        nda_at: c.nda_at,
        background_check_at: c.background_check_at,
        training_at: c.training_at,
        complete: c.is_complete(),
        missing: c.missing().into_iter().map(str::to_owned).collect(),
        recorded_by,
        version,
    }
}

/// The core facts of a clearance row, or the empty clearance without one.
pub(crate) fn clearance_facts(row: Option<ClearanceRow>) -> StoreResult<Clearance> {
    row.as_ref()
        .map(Clearance::try_from)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// A staff member as access screens name them: `(id, display_name, role)`.
pub(crate) fn staff_refs(rows: Vec<(String, String, String)>) -> StoreResult<Vec<StaffRef>> {
    rows.into_iter()
        .map(|(id, name, role)| staff_ref(&id, name, &role))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back() {
        for s in [AccessScope::Read, AccessScope::Support, AccessScope::Admin] {
            assert_eq!(parse_scope(scope_name(s)).unwrap(), s);
        }
        assert!(parse_scope("root").is_err());
    }
}

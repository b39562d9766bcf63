//! Cross-tenant access in the store: access requests and reviews, grants, onboarding clearance,
//! and the tenant data grants open. Every function that reads or writes tenant data takes a
//! proof from `opsdesk_core::proof` ([`TenantAccess`] or [`TenantDataLoad`]); on PostgreSQL its
//! transaction declares that tenant (`opsdesk.tenants`), and row-level security shows the hub's
//! database role nothing else.
//!
//! The queries live by area: [`requests`] (requests and reviews), [`grants`], [`clearance`],
//! their rows in [`rows`], and [`store`] implements [`AccessStore`] once for every dialect.

mod clearance;
mod grants;
mod requests;
pub(crate) mod rows;
mod store;

use crate::{Effects, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdesk_core::access::{
    Clearance, GrantEndReason, GrantFacts, RequestStatus, TenantUserRole, TenantUserStatus,
};
use opsdesk_core::proof::{cap, scope, Granted, OwnOrAny, TenantAccess, TenantDataLoad};
use opsdesk_core::rules::AccessScope;
use opsdesk_core::Role;
use opsdesk_proto::{
    AccessRequestView, ClearanceView, GrantView, StaffRef, TenantSettingsView, TenantSignInView,
    TenantUserView,
};
use uuid::Uuid;

/// A new access request, checked by the hub.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccessRequest {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub requester_id: Uuid,
    /// The requester's tier when asking; reviewers need at least this.
    pub requester_tier: i64,
    pub scope: AccessScope,
    pub reason: String,
    pub duration_minutes: i64,
    pub start_at: Option<DateTime<Utc>>,
    pub ticket_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored request with its listing position.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessRequestRecord {
    /// Creation order; listings run newest first by it and cursors name it.
    pub seq: i64,
    pub requester_tier: i64,
    /// Whether the requester's account is active now.
    pub requester_active: bool,
    pub view: AccessRequestView,
}

/// Which requests to list, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessRequestFilter {
    pub requester_id: Option<Uuid>,
    /// Pending requests this reviewer may review: not their own, requester tier at most the
    /// given tier, and not already reviewed by them.
    pub reviewable_by: Option<(Uuid, i64)>,
    pub status: Option<RequestStatus>,
    pub tenant_id: Option<Uuid>,
    /// Created at or after / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only requests with `seq` below this (the cursor).
    pub before_seq: Option<i64>,
    pub limit: u32,
    /// Grants' `state` is computed at this time.
    pub now: DateTime<Utc>,
}

/// A reviewer's decision on one request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub request_id: Uuid,
    /// The request's version the reviewer decided on.
    pub expected_version: i64,
    pub reviewer_id: Uuid,
    pub approved: bool,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// What the reviews so far (this one included) make of the request; decided by the hub with
/// `opsdesk_core::rules::tally_reviews`.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewDecision {
    StillPending,
    Denied,
    Approved(NewGrant),
}

/// The grant an approval creates.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrant {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Whether the start is recorded now (it is due), or left to the access job.
    pub start_recorded: bool,
}

/// Ending a grant early or at expiry.
#[derive(Debug, Clone, PartialEq)]
pub struct EndGrant {
    pub grant_id: Uuid,
    pub reason: GrantEndReason,
    /// Who ended it; none for expiry.
    pub by: Option<Uuid>,
    pub comment: Option<String>,
    /// When it ended: now for a release or revocation, the grant's end for expiry.
    pub at: DateTime<Utc>,
}

/// Which grants to list, newest start first.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantFilter {
    pub holder_id: Option<Uuid>,
    pub tenant_id: Option<Uuid>,
    /// Only grants not ended at `now` (active or scheduled).
    pub current_only: bool,
    pub limit: u32,
    pub now: DateTime<Utc>,
}

/// A tenant user in an import, checked by the hub. Matched by (tenant, email).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantUserDraft {
    pub name: String,
    /// Lowercased.
    pub email: String,
    pub role: TenantUserRole,
    pub status: TenantUserStatus,
    pub mfa_enabled: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// One sign-in of a tenant user, as the platform reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTenantSignIn {
    /// Lowercased email of the user in the loaded tenant.
    pub email: String,
    pub at: DateTime<Utc>,
    pub success: bool,
    pub address: String,
    pub user_agent: String,
}

/// A password reset link for a tenant user (the token's hash only).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPasswordReset {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A support action on a tenant user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TenantUserChange {
    /// Status `locked` becomes `active`.
    Unlock,
    Role(TenantUserRole),
}

/// New values for a tenant's settings (the hub merges the patch and checks it).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantSettingsValues {
    pub sso_required: bool,
    pub mfa_required: bool,
    pub session_timeout_minutes: i64,
    pub ip_allowlist: Vec<String>,
    pub data_retention_days: i64,
}

impl Default for TenantSettingsValues {
    /// What a tenant has until someone changes it.
    fn default() -> Self {
        TenantSettingsValues {
            sso_required: false,
            mfa_required: false,
            session_timeout_minutes: 480,
            ip_allowlist: Vec::new(),
            data_retention_days: 365,
        }
    }
}

/// Cross-tenant access storage; part of every [`crate::Store`]. Reviews and clearance take the
/// proof of the reviewer's or recorder's permission.
#[async_trait]
pub trait AccessStore: Send + Sync {
    // ---- requests and reviews ----------------------------------------------------------------
    /// Stores a pending request and writes `fx`.
    async fn create_access_request(
        &self,
        request: NewAccessRequest,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord>;
    /// One request with its reviews and grant; grant state computed at `now`.
    async fn access_request(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<AccessRequestRecord>>;
    /// Requests matching `filter`, newest first, at most `filter.limit`.
    async fn list_access_requests(
        &self,
        filter: &AccessRequestFilter,
    ) -> StoreResult<Vec<AccessRequestRecord>>;
    /// Adds a review to a pending request still at `expected_version` and applies `decision`
    /// (status, decided time, grant), bumping the version. `VersionConflict` when the request
    /// changed or is no longer pending; `Duplicate{field:"reviewer"}` when this reviewer
    /// already reviewed it.
    async fn review_access_request(
        &self,
        proof: &Granted<cap::AccessReview>,
        review: NewReview,
        decision: ReviewDecision,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord>;
    /// Sets a pending request at `expected_version` to `cancelled`. `VersionConflict` otherwise.
    async fn cancel_access_request(
        &self,
        id: Uuid,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<AccessRequestRecord>;
    /// Pending requests whose expiry is at or before `now`, oldest expiry first.
    async fn access_requests_to_expire(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<AccessRequestRecord>>;
    /// Expires one request if it is still pending and due; false (and `fx` not written) when
    /// another hub or a reviewer got there first.
    async fn expire_access_request(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<bool>;

    // ---- grants ------------------------------------------------------------------------------
    async fn grant(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<Option<GrantView>>;
    async fn list_grants(&self, filter: &GrantFilter) -> StoreResult<Vec<GrantView>>;
    /// The facts of `holder_id`'s grants for `tenant_id` that are not long over (not ended, or
    /// ended within the last day), for `TenantAccess::check`.
    async fn grant_facts(
        &self,
        holder_id: Uuid,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<GrantFacts>>;
    /// Grants not yet recorded as ended whose end is at or before `now`.
    async fn grants_to_end(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<GrantView>>;
    /// Grants whose start has come but is not yet recorded.
    async fn grants_to_start(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<GrantView>>;
    /// Ends a grant of `right.owner()` not yet ended; `None` (and `fx` not written) when it
    /// already was.
    async fn end_grant(
        &self,
        right: &OwnOrAny<cap::GrantsRevokeAny>,
        end: EndGrant,
        fx: Effects,
    ) -> StoreResult<Option<GrantView>>;
    /// Grants not ended and not yet warned about whose end is at or before `until` (the
    /// warning's lead time from now). Their `state` is computed at `until`.
    async fn grants_to_warn(&self, until: DateTime<Utc>, limit: u32)
        -> StoreResult<Vec<GrantView>>;
    /// Records that the holder was warned of the end; false (and `fx` not written) when already
    /// recorded.
    async fn record_grant_warned(&self, grant_id: Uuid, fx: Effects) -> StoreResult<bool>;
    /// Records that a scheduled grant started; false (and `fx` not written) when already
    /// recorded.
    async fn record_grant_started(&self, grant_id: Uuid, fx: Effects) -> StoreResult<bool>;

    // ---- clearance and reviewers -------------------------------------------------------------
    /// A staff member's clearance (empty, version 0, when nothing is recorded).
    async fn clearance(&self, staff_id: Uuid) -> StoreResult<ClearanceView>;
    /// The core view of the same, for the rules.
    async fn clearance_facts(&self, staff_id: Uuid) -> StoreResult<Clearance>;
    /// Stores the clearance if the stored one is at `expected_version` (0: none yet).
    #[allow(clippy::too_many_arguments)] // the proof, then the six facts of the record
    async fn record_clearance(
        &self,
        proof: &Granted<cap::OnboardingRecord>,
        staff_id: Uuid,
        expected_version: i64,
        clearance: Clearance,
        recorded_by: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<ClearanceView>;
    /// Active staff holding one of `roles`, by display name.
    async fn active_staff_in_roles(&self, roles: &[Role]) -> StoreResult<Vec<StaffRef>>;

    // ---- tenant data (proof-typed) -----------------------------------------------------------
    /// Creates or updates (by email) the tenant's users, all or nothing. Returns (created,
    /// updated).
    async fn import_tenant_users(
        &self,
        load: &TenantDataLoad,
        users: Vec<TenantUserDraft>,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<(u32, u32)>;
    /// Stores sign-ins of the tenant's users and sets their last sign-in; an unknown email is
    /// `NotFound`.
    async fn record_tenant_sign_ins(
        &self,
        load: &TenantDataLoad,
        sign_ins: Vec<NewTenantSignIn>,
        fx: Effects,
    ) -> StoreResult<()>;
    /// The tenant's users by name, after `(name_key, id)`, with the audit entry of the read.
    /// `prefix` matches the start of name or email, case-insensitively.
    async fn list_tenant_users(
        &self,
        access: &TenantAccess<scope::Read>,
        prefix: Option<&str>,
        after: Option<(&str, Uuid)>,
        limit: u32,
        fx: Effects,
    ) -> StoreResult<Vec<TenantUserView>>;
    /// One user of the tenant (`None` for another tenant's), with the audit entry.
    async fn tenant_user(
        &self,
        access: &TenantAccess<scope::Read>,
        user_id: Uuid,
        fx: Effects,
    ) -> StoreResult<Option<TenantUserView>>;
    /// A user's sign-ins, newest first. `NotFound` for another tenant's user.
    async fn tenant_user_sign_ins(
        &self,
        access: &TenantAccess<scope::Support>,
        user_id: Uuid,
        limit: u32,
        fx: Effects,
    ) -> StoreResult<Vec<TenantSignInView>>;
    /// Stores a reset link (voiding earlier unused ones). `NotFound` for another tenant's user.
    async fn issue_tenant_password_reset(
        &self,
        access: &TenantAccess<scope::Support>,
        reset: NewPasswordReset,
        fx: Effects,
    ) -> StoreResult<TenantUserView>;
    /// Applies a support action at `expected_version`. `NotFound` / `VersionConflict`.
    async fn change_tenant_user(
        &self,
        access: &TenantAccess<scope::Support>,
        user_id: Uuid,
        expected_version: i64,
        change: TenantUserChange,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantUserView>;
    /// The tenant's settings (defaults, version 0, until first changed), with the audit entry.
    async fn tenant_settings(
        &self,
        access: &TenantAccess<scope::Admin>,
        fx: Effects,
    ) -> StoreResult<TenantSettingsView>;
    /// Stores new settings if they are at `expected_version`.
    async fn update_tenant_settings(
        &self,
        access: &TenantAccess<scope::Admin>,
        values: TenantSettingsValues,
        expected_version: i64,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantSettingsView>;
}

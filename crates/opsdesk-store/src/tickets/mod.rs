//! The ticket queue's part of the store: records, the specifications of queue pages, and the
//! [`TicketStore`] trait every [`crate::Store`] implements.
//!
//! The queries live by area: [`queries`] (reads, queue pages, the changes feed, the SLA claim)
//! with [`spec`] (a spec as SQL conditions), [`writes`], [`seed`], [`search`], [`groups`],
//! [`sla`] (policies), [`presence`] (and saved filters), their rows in [`rows`]; tenants and
//! integration tokens are in `crate::tenants`, and [`store`] implements [`TicketStore`] once
//! for every dialect.

mod groups;
mod presence;
mod queries;
pub(crate) mod rows;
pub(crate) mod search;
mod seed;
mod sla;
mod spec;
mod store;
mod writes;

use crate::{Effects, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use opsdesk_core::proof::{cap, Granted, TicketWriteProof};
use opsdesk_core::sla::{SlaClock, SlaTargets};
use opsdesk_core::ticket::{EscalationLevel, MessageKind, Priority, QueueSort, TicketStatus};
use opsdesk_proto::{
    GroupView, IntegrationTokenView, MessageView, PresenceMode, PresenceView, SavedFilterView,
    SlaPolicyView, TenantStatus, TenantView, TicketChange, TicketSummary,
};
use uuid::Uuid;

/// A tenant to create or (in an import) to create or update by slug.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantDraft {
    pub name: String,
    pub slug: String,
    pub plan: String,
    pub status: TenantStatus,
}

/// Changes to a tenant; `None` keeps a field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TenantPatch {
    pub name: Option<String>,
    pub plan: Option<String>,
    pub status: Option<TenantStatus>,
}

/// A new integration token (the secret's hash only).
#[derive(Debug, Clone)]
pub struct NewIntegrationToken {
    pub id: Uuid,
    pub name: String,
    pub token_hash: String,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A ticket with the fields the hub computes with; `summary` is what clients see.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRecord {
    pub summary: TicketSummary,
    /// Internal key; the search index and `number` use it.
    pub seq: i64,
    pub sla: SlaClock,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
}

impl TicketRecord {
    /// The ticket's id.
    pub fn id(&self) -> Uuid {
        self.summary.id
    }
}

/// The stored state of a ticket after a write. The hub computes it (rules from core); the store
/// writes it if the ticket is still at `expected_version`, and derives the rest (`is_open`,
/// sort keys, version, feed position).
#[derive(Debug, Clone, PartialEq)]
pub struct TicketState {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub requester_name: String,
    pub requester_email: String,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub escalation_level: EscalationLevel,
    pub sla: SlaClock,
    /// Deadline and the job's next look, from `sla` and the priority's targets.
    pub sla_due_at: Option<DateTime<Utc>>,
    pub sla_check_at: Option<DateTime<Utc>>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A message to add to a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub id: Uuid,
    pub kind: MessageKind,
    pub author_id: Option<Uuid>,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryDraft {
    pub actor: String,
    pub actor_name: String,
    pub changes: Vec<opsdesk_proto::FieldChange>,
}

/// One ticket's part of a write.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketWrite {
    /// `None` for a new ticket.
    pub expected_version: Option<i64>,
    pub state: TicketState,
    pub messages: Vec<NewMessage>,
    pub history: HistoryDraft,
}

/// Moves every message of one ticket onto another (merge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MessageMove {
    pub from: Uuid,
    pub to: Uuid,
}

/// An idempotency key recorded with a write.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyDraft {
    /// Who sent it (`staff:<id>` or `integration:<id>`): keys are per sender.
    pub principal: String,
    pub key: String,
    /// SHA-256 of the method, path and body, so a key reused for another request is refused.
    pub request_hash: String,
    /// What to answer on replay (JSON).
    pub result: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// A stored idempotency result.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    pub result: serde_json::Value,
}

// The queue's rules (which tickets a page covers, its cursor) are core's.
pub use opsdesk_core::tickets::cursor::QueueCursor;
pub use opsdesk_core::tickets::queue::{QueuePage, TicketSpec};

/// The sort key of a ticket for `sort`, to build the next cursor.
pub fn cursor_of(record: &TicketRecord, sort: QueueSort) -> QueueCursor {
    // The summary's `number` is the record's `seq`.
    record.summary.queue_cursor(sort)
}

/// The ticket queue's storage. Writes that need a staff permission take its proof (see
/// [`crate::Store`]); ticket writes take any [`TicketWriteProof`].
#[async_trait]
pub trait TicketStore: Send + Sync {
    // ---- tenants ------------------------------------------------------------------------------
    /// `Duplicate{field:"slug"}` when the slug is taken.
    async fn create_tenant(
        &self,
        proof: &Granted<cap::TenantsManage>,
        id: Uuid,
        draft: TenantDraft,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantView>;
    async fn update_tenant(
        &self,
        proof: &Granted<cap::TenantsManage>,
        id: Uuid,
        expected_version: i64,
        patch: TenantPatch,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantView>;
    /// Creates or updates each tenant by slug, all in one transaction: (created, updated).
    async fn import_tenants(
        &self,
        proof: &Granted<cap::TenantsManage>,
        drafts: Vec<TenantDraft>,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<(u32, u32)>;
    async fn tenant_by_id(&self, id: Uuid) -> StoreResult<Option<TenantView>>;
    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantView>>;
    /// Tenants by name, those whose name or slug starts with `prefix`, after `after_name`.
    async fn list_tenants(
        &self,
        prefix: Option<&str>,
        after: Option<(&str, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<TenantView>>;

    // ---- integration tokens -------------------------------------------------------------------
    async fn create_integration_token(
        &self,
        proof: &Granted<cap::SettingsManage>,
        token: NewIntegrationToken,
        fx: Effects,
    ) -> StoreResult<IntegrationTokenView>;
    async fn list_integration_tokens(&self) -> StoreResult<Vec<IntegrationTokenView>>;
    /// Revokes a token; `NotFound` if missing, `AlreadyUsed("token_revoked")` if revoked.
    async fn revoke_integration_token(
        &self,
        proof: &Granted<cap::SettingsManage>,
        id: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<IntegrationTokenView>;
    /// An unrevoked token by hash; records `now` as its last use.
    async fn use_integration_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<IntegrationTokenView>>;

    // ---- groups and SLA policies ----------------------------------------------------------------
    /// `Duplicate{field:"name"}` when taken.
    async fn create_group(
        &self,
        proof: &Granted<cap::SlaManage>,
        id: Uuid,
        name: &str,
        members: &[Uuid],
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<GroupView>;
    async fn set_group_members(
        &self,
        proof: &Granted<cap::SlaManage>,
        id: Uuid,
        members: &[Uuid],
        fx: Effects,
    ) -> StoreResult<GroupView>;
    async fn list_groups(&self) -> StoreResult<Vec<GroupView>>;
    async fn group_by_id(&self, id: Uuid) -> StoreResult<Option<GroupView>>;
    /// The group's next active member in turn (the one assigned longest ago), marked as
    /// assigned at `now`; `None` when the group has no active member.
    async fn take_round_robin_turn(
        &self,
        group_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Uuid>>;
    async fn sla_policies(&self) -> StoreResult<Vec<SlaPolicyView>>;
    async fn update_sla_policy(
        &self,
        proof: &Granted<cap::SlaManage>,
        priority: Priority,
        expected_version: i64,
        targets: SlaTargets,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<SlaPolicyView>;

    // ---- tickets --------------------------------------------------------------------------------
    /// Writes tickets (new ones when `expected_version` is `None`), their messages and history,
    /// optionally moving messages (merge) and recording an idempotency key, all or nothing.
    /// `VersionConflict` names nothing; the hub reads the ticket again to explain.
    /// `Duplicate{field:"idempotency_key"}` if the key was recorded meanwhile.
    async fn write_tickets(
        &self,
        proof: &dyn TicketWriteProof,
        writes: Vec<TicketWrite>,
        moves: Option<MessageMove>,
        idempotency: Option<IdempotencyDraft>,
        fx: Effects,
    ) -> StoreResult<Vec<TicketRecord>>;
    async fn ticket_by_id(&self, id: Uuid) -> StoreResult<Option<TicketRecord>>;
    async fn tickets_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<TicketRecord>>;
    /// The conversation, oldest first.
    async fn ticket_messages(&self, id: Uuid) -> StoreResult<Vec<MessageView>>;
    /// Messages that made a version after `after_version`.
    async fn ticket_messages_since(
        &self,
        id: Uuid,
        after_version: i64,
    ) -> StoreResult<Vec<MessageView>>;
    /// History entries after `after_version`, oldest first.
    async fn ticket_history(&self, id: Uuid, after_version: i64) -> StoreResult<Vec<TicketChange>>;
    async fn queue_page(&self, page: &QueuePage) -> StoreResult<Vec<TicketRecord>>;
    async fn count_tickets(&self, spec: &TicketSpec) -> StoreResult<i64>;
    /// Tickets matching `text` in subject or conversation, best first, with their scores.
    async fn search_tickets(&self, text: &str, limit: u32)
        -> StoreResult<Vec<(TicketRecord, f64)>>;
    /// Tickets whose feed position is after `since`, in feed order.
    async fn ticket_changes(&self, since: i64, limit: u32) -> StoreResult<Vec<TicketRecord>>;
    /// Claims up to `limit` tickets whose SLA check is due at `now`, pushing their check to
    /// `lease_until` so no other job (or hub) takes them meanwhile.
    async fn claim_sla_checks(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<TicketRecord>>;

    // ---- idempotency, presence, saved filters ---------------------------------------------------
    async fn idempotency_result(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>>;
    async fn set_presence(
        &self,
        ticket_id: Uuid,
        staff_id: Uuid,
        mode: PresenceMode,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Who is on a ticket now, with names.
    async fn presence(&self, ticket_id: Uuid, now: DateTime<Utc>)
        -> StoreResult<Vec<PresenceView>>;
    /// `Duplicate{field:"name"}` when the person already has a filter of that name.
    async fn create_saved_filter(
        &self,
        staff_id: Uuid,
        filter: SavedFilterView,
        fx: Effects,
    ) -> StoreResult<SavedFilterView>;
    async fn saved_filters(&self, staff_id: Uuid) -> StoreResult<Vec<SavedFilterView>>;
    /// False when the filter does not exist or is someone else's.
    async fn delete_saved_filter(&self, staff_id: Uuid, id: Uuid, fx: Effects)
        -> StoreResult<bool>;

    // ---- seeding ------------------------------------------------------------------------------
    /// Writes generated data fast: rows go in as given, without audit entries (the seed command
    /// records one entry for the whole run).
    async fn seed_batch(
        &self,
        proof: &Granted<cap::TenantsManage>,
        batch: SeedBatch,
    ) -> StoreResult<()>;
}

/// Generated rows for `opsdesk-hub seed`.
#[derive(Debug, Clone, Default)]
pub struct SeedBatch {
    pub tenants: Vec<(Uuid, TenantDraft, DateTime<Utc>)>,
    /// Each ticket with its conversation; `history` is ignored.
    pub tickets: Vec<TicketWrite>,
}

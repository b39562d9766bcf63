//! [`TicketStore`] for every [`Dialect`]: each method delegates to its area's function
//! (tenants and tokens in `crate::tenants`, groups, SLA policies, ticket reads and writes,
//! search, presence and saved filters here).

use super::*;
use super::{groups, presence, queries, search, seed, sla, writes};
use crate::dialect::Dialect;
use crate::tenants::{self, tokens};

#[async_trait]
impl<D: Dialect> TicketStore for D {
    async fn create_tenant(
        &self,
        _proof: &Granted<cap::TenantsManage>,
        id: Uuid,
        draft: TenantDraft,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantView> {
        tenants::create(self, id, draft, now, fx).await
    }

    async fn update_tenant(
        &self,
        _proof: &Granted<cap::TenantsManage>,
        id: Uuid,
        expected_version: i64,
        patch: TenantPatch,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<TenantView> {
        tenants::update(self, id, expected_version, patch, now, fx).await
    }

    async fn import_tenants(
        &self,
        _proof: &Granted<cap::TenantsManage>,
        drafts: Vec<TenantDraft>,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<(u32, u32)> {
        tenants::import(self, drafts, now, fx).await
    }

    async fn tenant_by_id(&self, id: Uuid) -> StoreResult<Option<TenantView>> {
        tenants::by(self, "id", id.to_string()).await
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<TenantView>> {
        tenants::by(self, "slug", slug.to_owned()).await
    }

    async fn list_tenants(
        &self,
        prefix: Option<&str>,
        after: Option<(&str, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<TenantView>> {
        tenants::list(self, prefix, after, limit).await
    }

    async fn create_integration_token(
        &self,
        _proof: &Granted<cap::SettingsManage>,
        token: NewIntegrationToken,
        fx: Effects,
    ) -> StoreResult<IntegrationTokenView> {
        tokens::create(self, token, fx).await
    }

    async fn list_integration_tokens(&self) -> StoreResult<Vec<IntegrationTokenView>> {
        tokens::list(self).await
    }

    async fn revoke_integration_token(
        &self,
        _proof: &Granted<cap::SettingsManage>,
        id: Uuid,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<IntegrationTokenView> {
        tokens::revoke(self, id, now, fx).await
    }

    async fn use_integration_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<IntegrationTokenView>> {
        tokens::use_token(self, token_hash, now).await
    }

    async fn create_group(
        &self,
        _proof: &Granted<cap::SlaManage>,
        id: Uuid,
        name: &str,
        members: &[Uuid],
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<GroupView> {
        groups::create(self, id, name, members, now, fx).await
    }

    async fn set_group_members(
        &self,
        _proof: &Granted<cap::SlaManage>,
        id: Uuid,
        members: &[Uuid],
        fx: Effects,
    ) -> StoreResult<GroupView> {
        groups::set_members(self, id, members, fx).await
    }

    async fn list_groups(&self) -> StoreResult<Vec<GroupView>> {
        groups::list(self).await
    }

    async fn group_by_id(&self, id: Uuid) -> StoreResult<Option<GroupView>> {
        groups::one(self, id).await
    }

    async fn take_round_robin_turn(
        &self,
        group_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Uuid>> {
        groups::take_turn(self, group_id, now).await
    }

    async fn sla_policies(&self) -> StoreResult<Vec<SlaPolicyView>> {
        sla::policies(self).await
    }

    async fn update_sla_policy(
        &self,
        _proof: &Granted<cap::SlaManage>,
        priority: Priority,
        expected_version: i64,
        targets: SlaTargets,
        now: DateTime<Utc>,
        fx: Effects,
    ) -> StoreResult<SlaPolicyView> {
        sla::update(self, priority, expected_version, targets, now, fx).await
    }

    async fn write_tickets(
        &self,
        _proof: &dyn TicketWriteProof,
        writes: Vec<TicketWrite>,
        moves: Option<MessageMove>,
        idempotency: Option<IdempotencyDraft>,
        fx: Effects,
    ) -> StoreResult<Vec<TicketRecord>> {
        writes::write_tickets(self, writes, moves, idempotency, fx).await
    }

    async fn ticket_by_id(&self, id: Uuid) -> StoreResult<Option<TicketRecord>> {
        queries::by_id(self, id).await
    }

    async fn tickets_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<TicketRecord>> {
        queries::by_ids(self, ids).await
    }

    async fn ticket_messages(&self, id: Uuid) -> StoreResult<Vec<MessageView>> {
        queries::messages_since(self, id, 0).await
    }

    async fn ticket_messages_since(
        &self,
        id: Uuid,
        after_version: i64,
    ) -> StoreResult<Vec<MessageView>> {
        queries::messages_since(self, id, after_version).await
    }

    async fn ticket_history(&self, id: Uuid, after_version: i64) -> StoreResult<Vec<TicketChange>> {
        queries::history(self, id, after_version).await
    }

    async fn queue_page(&self, page: &QueuePage) -> StoreResult<Vec<TicketRecord>> {
        queries::queue_page(self, page).await
    }

    async fn count_tickets(&self, spec: &TicketSpec) -> StoreResult<i64> {
        queries::count(self, spec).await
    }

    async fn search_tickets(
        &self,
        text: &str,
        limit: u32,
    ) -> StoreResult<Vec<(TicketRecord, f64)>> {
        search::search(self, text, limit).await
    }

    async fn ticket_changes(&self, since: i64, limit: u32) -> StoreResult<Vec<TicketRecord>> {
        queries::changes(self, since, limit).await
    }

    async fn claim_sla_checks(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<TicketRecord>> {
        queries::claim_sla_checks(self, now, lease_until, limit).await
    }

    async fn idempotency_result(
        &self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>> {
        queries::idempotency_result(self, principal, key).await
    }

    async fn set_presence(
        &self,
        ticket_id: Uuid,
        staff_id: Uuid,
        mode: PresenceMode,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        presence::set(self, ticket_id, staff_id, mode, now, expires_at).await
    }

    async fn presence(
        &self,
        ticket_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<PresenceView>> {
        presence::on(self, ticket_id, now).await
    }

    async fn create_saved_filter(
        &self,
        staff_id: Uuid,
        filter: SavedFilterView,
        fx: Effects,
    ) -> StoreResult<SavedFilterView> {
        presence::save_filter(self, staff_id, filter, fx).await
    }

    async fn saved_filters(&self, staff_id: Uuid) -> StoreResult<Vec<SavedFilterView>> {
        presence::filters(self, staff_id).await
    }

    async fn delete_saved_filter(
        &self,
        staff_id: Uuid,
        id: Uuid,
        fx: Effects,
    ) -> StoreResult<bool> {
        presence::delete_filter(self, staff_id, id, fx).await
    }

    async fn seed_batch(
        &self,
        _proof: &Granted<cap::TenantsManage>,
        batch: SeedBatch,
    ) -> StoreResult<()> {
        seed::seed_batch(self, batch).await
    }
}

//! The queue and ticket screens' calls. Queue pages are read from the local cache at once and
//! a sync runs behind them; writes go through the outbox so nothing typed is lost offline;
//! a ticket, search, presence and the pickers ask the hub and fall back to the cache when it
//! cannot be reached.

use super::Desk;
use crate::api::ApiClient;
use crate::cache::keys;
use crate::error::ClientError;
use crate::queue::{
    check_action, invalid, local_page, ActionOutcome, OutboxResolution, OutboxState, QueueScreen,
    SyncStatus, TicketAction, TicketScreen, Viewer,
};
use chrono::Utc;
use opsdesk_core::tickets::queue::check_search;
use opsdesk_proto::{
    Assignee, CreateTicketRequest, GroupView, Me, PresenceMode, PresenceView, QueueQuery,
    SaveFilterRequest, SavedFilterView, SearchHit, TenantView, TicketDetail, TicketSummary,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

/// The hub could not be reached or did not answer as a hub: read the cache instead.
fn offline(e: &ClientError) -> bool {
    matches!(
        e,
        ClientError::Unreachable { .. } | ClientError::Protocol { .. }
    )
}

/// What a ticket screen shows of a ticket only the queue holds (never opened online).
fn detail_of(ticket: TicketSummary) -> TicketDetail {
    let sla_remaining_ms = ticket
        .sla_due_at
        .map(|due| (due - Utc::now()).num_milliseconds());
    TicketDetail {
        ticket,
        messages: Vec::new(),
        history: Vec::new(),
        presence: Vec::new(),
        sla_remaining_ms,
    }
}

impl Desk {
    /// A page of the queue from the local cache, with the counts, my saved filters and where
    /// the cache stands. Starts a sync in the background unless one is running.
    pub async fn queue(&self, query: QueueQuery) -> Result<QueueScreen, ClientError> {
        let viewer = self.viewer().await?;
        let saved = self.cached_saved_filters().await;
        let now = Utc::now();
        let page = local_page(&query, viewer, &saved, now)?;
        let tickets = self.sync.tickets();
        let found = tickets.page(&page).await?;
        let counts = tickets.counts(viewer, &saved, now).await?;
        if let Some(api) = self.session_api().await {
            self.sync.spawn(api);
        }
        Ok(QueueScreen {
            items: found.items,
            next_cursor: found.next_cursor,
            counts,
            saved_filters: saved,
            sync: self.sync.status().await?,
        })
    }

    /// Sends the outbox, then reads the hub's changes into the cache. An unreachable hub is
    /// reported in `last_error` (and `stale`), not as an error; an ended session is.
    pub async fn sync_now(&self) -> Result<SyncStatus, ClientError> {
        let sync = self.sync.clone();
        let result = self
            .with_session(|api| async move { sync.run(&api).await })
            .await;
        if let Err(e @ (ClientError::NotSignedIn | ClientError::SessionExpired)) = result {
            self.sync.failed(&e);
            return Err(e);
        }
        self.sync.status().await
    }

    /// A ticket with its conversation from the hub (kept for offline reading); when the hub
    /// cannot be reached, what the cache holds, marked `from_cache`.
    pub async fn ticket(&self, id: Uuid) -> Result<TicketScreen, ClientError> {
        let epoch = self.cache.epoch().await;
        let tickets = self.sync.tickets();
        let (detail, from_cache) = match self
            .with_session(|api| async move { api.ticket(id).await })
            .await
        {
            Ok(detail) => {
                if let Err(e) = tickets.store_detail(epoch, &detail).await {
                    tracing::warn!(error = %e, "could not cache the ticket");
                }
                (detail, false)
            }
            Err(e) if offline(&e) => {
                self.sync.failed(&e);
                match tickets.detail(id).await? {
                    Some(detail) => (detail, true),
                    None => match tickets.summary(id).await? {
                        Some(summary) => (detail_of(summary), true),
                        None => return Err(e),
                    },
                }
            }
            Err(e) => return Err(e),
        };
        Ok(TicketScreen {
            detail,
            from_cache,
            pending: self.sync.outbox().items_for(id).await?,
        })
    }

    /// Replies, notes, changes, assigns or escalates a ticket at the version the person saw.
    /// Checked here first (naming the field); then queued in the outbox and sent at once if the
    /// hub can be reached. `ticket` is set when the hub took it, `queued` when it waits, is in
    /// conflict or was refused.
    pub async fn ticket_act(
        &self,
        id: Uuid,
        version: i64,
        action: TicketAction,
    ) -> Result<ActionOutcome, ClientError> {
        check_action(version, &action)?;
        if self.session_api().await.is_none() {
            return Err(ClientError::NotSignedIn);
        }
        let epoch = self.cache.epoch().await;
        let tickets = self.sync.tickets();
        let summary = match tickets.summary(id).await? {
            Some(summary) => summary,
            None => match self
                .with_session(|api| async move { api.ticket(id).await })
                .await
            {
                Ok(detail) => {
                    tickets.store_detail(epoch, &detail).await?;
                    detail.ticket
                }
                Err(e) if offline(&e) => {
                    return Err(ClientError::invalid(
                        "id",
                        "is a ticket this app has not seen yet; open it once while the hub is \
                         reachable",
                    ))
                }
                Err(e) => return Err(e),
            },
        };
        let outbox = self.sync.outbox();
        let item = outbox.enqueue(epoch, &summary, version, &action).await?;
        let sync = self.sync.clone();
        let report = self
            .with_session(|api| async move {
                let report = sync.flush(&api).await;
                match &report.stopped {
                    Some(e) if e.is_session_gone() => Err(e.clone()),
                    _ => Ok(report),
                }
            })
            .await?;
        if let Some(ticket) = report.accepted.get(&item.id) {
            return Ok(ActionOutcome {
                ticket: Some(ticket.clone()),
                queued: None,
            });
        }
        match outbox.item(item.id).await? {
            Some(queued) => Ok(ActionOutcome {
                ticket: None,
                queued: Some(queued),
            }),
            // A flush that was already running sent it.
            None => Ok(ActionOutcome {
                ticket: tickets.summary(id).await?,
                queued: None,
            }),
        }
    }

    /// Resolves an outbox item in conflict or refused: `send_anyway` sends it again on top of
    /// the ticket's current version with a new idempotency key; `discard` drops it. Then sends
    /// what can go (the ticket's later writes wait behind it).
    pub async fn outbox_resolve(
        &self,
        id: i64,
        resolution: OutboxResolution,
    ) -> Result<SyncStatus, ClientError> {
        let outbox = self.sync.outbox();
        let item = outbox.item(id).await?.ok_or_else(|| {
            ClientError::invalid("id", "is not in the outbox (it was sent or discarded)")
        })?;
        match resolution {
            OutboxResolution::Discard => {
                outbox.discard(id).await?;
            }
            // A waiting item keeps its key: its last send may have arrived.
            OutboxResolution::SendAnyway if item.state == OutboxState::Waiting => {}
            OutboxResolution::SendAnyway => {
                let version = self.current_version(item.ticket_id).await?;
                outbox.retry_at(id, version).await?;
            }
        }
        let sync = self.sync.clone();
        let flushed = self
            .with_session(|api| async move {
                match sync.flush(&api).await.stopped {
                    Some(e) if e.is_session_gone() => Err(e),
                    _ => Ok(()),
                }
            })
            .await;
        if let Err(e @ ClientError::SessionExpired) = flushed {
            return Err(e);
        }
        self.sync.status().await
    }

    /// Says I view, reply to or left a ticket; answers with the others on it (none offline).
    pub async fn ticket_presence(
        &self,
        id: Uuid,
        mode: PresenceMode,
    ) -> Result<Vec<PresenceView>, ClientError> {
        match self
            .with_session(|api| async move { api.ticket_presence(id, mode).await })
            .await
        {
            Err(e) if offline(&e) => Ok(Vec::new()),
            other => other,
        }
    }

    /// Full-text search on the hub; offline, cached tickets whose subject holds every word
    /// (score 0).
    pub async fn search_tickets(&self, q: &str) -> Result<Vec<SearchHit>, ClientError> {
        let text = check_search(q).map_err(invalid)?;
        let asked = text.clone();
        match self
            .with_session(|api| async move { api.search_tickets(&asked).await })
            .await
        {
            Err(e) if offline(&e) => {
                self.sync.failed(&e);
                let found = self.sync.tickets().search(&text).await?;
                Ok(found
                    .into_iter()
                    .map(|ticket| SearchHit { ticket, score: 0.0 })
                    .collect())
            }
            other => other,
        }
    }

    /// Tenants whose name or slug starts with `q` (for opening a ticket).
    pub async fn tenants(&self, q: &str) -> Result<Vec<TenantView>, ClientError> {
        let q = q.to_owned();
        let page = self
            .with_session(|api| async move { api.tenants(&q).await })
            .await?;
        Ok(page.items)
    }

    /// Opens a ticket; it shows in the queue at once.
    pub async fn create_ticket(
        &self,
        request: CreateTicketRequest,
    ) -> Result<TicketSummary, ClientError> {
        let epoch = self.cache.epoch().await;
        let key = Uuid::new_v4().to_string();
        let ticket = self
            .with_session(|api| async move { api.create_ticket(&request, &key).await })
            .await?;
        if let Err(e) = self
            .sync
            .tickets()
            .store(epoch, std::slice::from_ref(&ticket), None)
            .await
        {
            tracing::warn!(error = %e, "could not cache the new ticket");
        }
        Ok(ticket)
    }

    /// Saves a filter under a name; it is listed (and counted) at once.
    pub async fn save_filter(
        &self,
        request: SaveFilterRequest,
    ) -> Result<SavedFilterView, ClientError> {
        let saved = self
            .with_session(|api| async move { api.save_filter(&request).await })
            .await?;
        let mut filters = self.cached_saved_filters().await;
        filters.retain(|f| f.id != saved.id);
        filters.push(saved.clone());
        self.keep(keys::SAVED_FILTERS, &filters).await;
        Ok(saved)
    }

    /// Deletes one of my saved filters.
    pub async fn delete_saved_filter(&self, id: Uuid) -> Result<(), ClientError> {
        self.with_session(|api| async move { api.delete_saved_filter(id).await })
            .await?;
        let mut filters = self.cached_saved_filters().await;
        filters.retain(|f| f.id != id);
        self.keep(keys::SAVED_FILTERS, &filters).await;
        Ok(())
    }

    /// People tickets can be assigned to; offline, as last fetched.
    pub async fn assignees(&self) -> Result<Vec<Assignee>, ClientError> {
        self.fetch_or_cached(keys::ASSIGNEES, |api| async move { api.assignees().await })
            .await
    }

    /// Ticket groups; offline, as last fetched.
    pub async fn groups(&self) -> Result<Vec<GroupView>, ClientError> {
        self.fetch_or_cached(keys::GROUPS, |api| async move { api.groups().await })
            .await
    }

    // ---- internals -----------------------------------------------------------------------------

    /// The session's client without calling the hub, for work in the background.
    pub(super) async fn session_api(&self) -> Option<ApiClient> {
        let state = self.state.read().await;
        let session = state.session.as_ref()?;
        Some(state.api.as_ref()?.with_token(session.token.clone()))
    }

    /// Whose queue: the signed-in person, or (offline) as last cached.
    async fn viewer(&self) -> Result<Viewer, ClientError> {
        let (username, me) = {
            let state = self.state.read().await;
            let session = state.session.as_ref().ok_or(ClientError::NotSignedIn)?;
            (session.username.clone(), session.me.clone())
        };
        let me: Me = match me {
            Some(me) => me,
            None => self
                .cached_me()
                .await
                .filter(|m| m.staff.username == username)
                .ok_or(ClientError::NotSignedIn)?,
        };
        Ok(Viewer {
            id: me.staff.id,
            role: me.staff.role,
        })
    }

    async fn cached_saved_filters(&self) -> Vec<SavedFilterView> {
        self.cache
            .get(keys::SAVED_FILTERS)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Keeps a document; a failure only costs offline reading.
    async fn keep<T: Serialize>(&self, key: &str, value: &T) {
        if let Err(e) = self.cache.put(key, value).await {
            tracing::warn!(key, error = %e, "could not cache");
        }
    }

    /// The ticket's version now: the hub's, or offline the newest the cache holds.
    async fn current_version(&self, id: Uuid) -> Result<i64, ClientError> {
        let epoch = self.cache.epoch().await;
        let tickets = self.sync.tickets();
        match self
            .with_session(|api| async move { api.ticket(id).await })
            .await
        {
            Ok(detail) => {
                if let Err(e) = tickets.store_detail(epoch, &detail).await {
                    tracing::warn!(error = %e, "could not cache the ticket");
                }
                Ok(detail.ticket.version)
            }
            Err(e) if offline(&e) => tickets.summary(id).await?.map(|s| s.version).ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// Asks the hub and caches the answer under `key`; offline, answers from the cache.
    async fn fetch_or_cached<T, F, Fut>(&self, key: &str, call: F) -> Result<T, ClientError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(ApiClient) -> Fut,
        Fut: std::future::Future<Output = Result<T, ClientError>>,
    {
        match self.with_session(call).await {
            Ok(value) => {
                self.keep(key, &value).await;
                Ok(value)
            }
            Err(e) if offline(&e) => match self.cache.get(key).await.ok().flatten() {
                Some(value) => Ok(value),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

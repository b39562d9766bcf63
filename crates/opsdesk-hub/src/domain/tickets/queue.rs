//! Ticket reads: queue pages for the built-in views and saved filters, live counts, full-text
//! search, one ticket with its conversation, the changes feed, presence and saved filters.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use chrono::Duration;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::Viewer;
use opsdesk_core::paging;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::tickets::queue::{self, Base, Selection};
use opsdesk_core::tickets::{QueueSort, QueueView};
use opsdesk_proto::{
    ChangesPage, ChangesQuery, Page, PresenceMode, PresenceView, QueueCounts, QueueQuery,
    SaveFilterRequest, SavedFilterCount, SavedFilterView, SearchHit, SearchQuery, TicketDetail,
    TicketSummary, ViewCount,
};
use opsdesk_store::{cursor_of, Effects, QueuePage, StoreError, TicketSpec};
use serde_json::json;
use uuid::Uuid;

// The views' time windows are core's rules; named here for the hub's other users.
pub use opsdesk_core::tickets::queue::{BREACHING_SOON, RECENTLY_SOLVED};

/// How long a presence heartbeat lasts.
pub const PRESENCE_TTL: Duration = Duration::seconds(45);

/// Whose queue it is.
fn viewer(caller: &Caller) -> Viewer {
    Viewer {
        id: caller.staff.id,
        role: caller.staff.role,
    }
}

/// The tickets a built-in view holds for `caller` (core's rule at the hub's time).
pub fn view_spec(state: &AppState, caller: &Caller, view: QueueView) -> TicketSpec {
    queue::view_spec(viewer(caller), view, state.now())
}

async fn saved_filter(state: &AppState, caller: &Caller, id: Uuid) -> HubResult<SavedFilterView> {
    state
        .store
        .saved_filters(caller.staff.id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(HubError::NotFound("saved filter"))
}

/// One page of a queue (needs `tickets.read`).
pub async fn page(
    state: &AppState,
    caller: &Caller,
    q: QueueQuery,
) -> HubResult<Page<TicketSummary>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let req = q.request()?;
    let saved;
    let base = match req.selection {
        Selection::View(view) => Base::View(view),
        Selection::Saved(id) => {
            saved = saved_filter(state, caller, id).await?;
            saved.base()
        }
    };
    let page = req.page(base, viewer(caller), state.now())?;
    let (limit, sort) = (page.limit, page.sort);
    let rows = state
        .store
        .queue_page(&QueuePage {
            limit: paging::rows_to_read(limit),
            ..page
        })
        .await?;
    Ok(crate::support::paging::page(
        rows,
        limit as usize,
        |r| cursor_of(r, sort).encode(sort),
        |r| r.summary.clone(),
    ))
}

/// How many tickets each view and each of the caller's saved filters holds.
pub async fn counts(state: &AppState, caller: &Caller) -> HubResult<QueueCounts> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let mut views = Vec::with_capacity(QueueView::ALL.len());
    for v in QueueView::ALL {
        let count = state
            .store
            .count_tickets(&view_spec(state, caller, *v))
            .await?;
        views.push(ViewCount { view: *v, count });
    }
    let mut saved = Vec::new();
    for f in state.store.saved_filters(caller.staff.id).await? {
        let spec = queue::saved_spec(&f.filter)?;
        saved.push(SavedFilterCount {
            id: f.id,
            count: state.store.count_tickets(&spec).await?,
        });
    }
    Ok(QueueCounts { views, saved })
}

/// Full-text search over subjects and conversations, best first (needs `tickets.read`).
pub async fn search(
    state: &AppState,
    caller: &Caller,
    q: SearchQuery,
) -> HubResult<Vec<SearchHit>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let text = queue::check_search(&q.q)?;
    let limit = match q.limit {
        None => 25,
        Some(n @ 1..=100) => n,
        Some(_) => return Err(HubError::field("limit", "must be between 1 and 100")),
    };
    let hits = state.store.search_tickets(&text, limit).await?;
    Ok(hits
        .into_iter()
        .map(|(r, score)| SearchHit {
            ticket: r.summary,
            score,
        })
        .collect())
}

/// One ticket with its conversation, history, and the other staff on it now.
pub async fn detail(state: &AppState, caller: &Caller, id: Uuid) -> HubResult<TicketDetail> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let record = state
        .store
        .ticket_by_id(id)
        .await?
        .ok_or(HubError::NotFound("ticket"))?;
    let now = state.now();
    let targets = crate::domain::tickets::targets(state, record.summary.priority).await?;
    let messages = state.store.ticket_messages(id).await?;
    let history = state.store.ticket_history(id, 0).await?;
    let presence = state
        .store
        .presence(id, now)
        .await?
        .into_iter()
        .filter(|p| p.staff_id != caller.staff.id)
        .collect();
    Ok(TicketDetail {
        sla_remaining_ms: record
            .sla
            .remaining(targets, now)
            .map(|d| d.num_milliseconds()),
        ticket: record.summary,
        messages,
        history,
        presence,
    })
}

/// Everything changed after `since`, in feed order, for a client's cache (needs
/// `tickets.read`).
pub async fn changes(state: &AppState, caller: &Caller, q: ChangesQuery) -> HubResult<ChangesPage> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let since = q.since.unwrap_or(0);
    if since < 0 {
        return Err(HubError::field(
            "since",
            "must be 0 or a `next` the hub returned",
        ));
    }
    let limit = match q.limit {
        None => 1_000,
        Some(n @ 1..=5_000) => n,
        Some(_) => return Err(HubError::field("limit", "must be between 1 and 5000")),
    };
    let mut rows = state.store.ticket_changes(since, limit + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map(|r| r.summary.change_seq).unwrap_or(since);
    Ok(ChangesPage {
        tickets: rows.into_iter().map(|r| r.summary).collect(),
        next,
        more,
    })
}

/// Records that the caller views, replies to or left a ticket; returns the others on it.
pub async fn presence(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    mode: PresenceMode,
) -> HubResult<Vec<PresenceView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let now = state.now();
    match state
        .store
        .set_presence(id, caller.staff.id, mode, now, now + PRESENCE_TTL)
        .await
    {
        Err(StoreError::NotFound) => return Err(HubError::NotFound("ticket")),
        other => other?,
    }
    Ok(state
        .store
        .presence(id, now)
        .await?
        .into_iter()
        .filter(|p| p.staff_id != caller.staff.id)
        .collect())
}

/// The caller's saved filters.
pub async fn saved_filters(state: &AppState, caller: &Caller) -> HubResult<Vec<SavedFilterView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    Ok(state.store.saved_filters(caller.staff.id).await?)
}

/// Saves a filter under a name for the caller.
pub async fn save_filter(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: SaveFilterRequest,
) -> HubResult<SavedFilterView> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let name = req.name.trim().to_owned();
    if !(1..=60).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(HubError::field(
            "name",
            "must be 1 to 60 characters without control characters",
        ));
    }
    // Checked now so a saved filter never fails later.
    queue::check_filter(&req.filter, "filter.")?;
    let now = state.now();
    let view = SavedFilterView {
        id: Uuid::now_v7(),
        name,
        filter: req.filter,
        sort: req.sort.unwrap_or(QueueSort::SlaDue),
        created_at: now,
    };
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::SavedFilterChanged,
        &format!("saved_filter:{}", view.id),
        client.addr,
        json!({"name": view.name, "created": true}),
    ));
    state
        .store
        .create_saved_filter(caller.staff.id, view, fx)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => HubError::Conflict {
                code: "duplicate",
                message: "you already have a saved filter with this `name`".into(),
                current: None,
            },
            other => other.into(),
        })
}

/// Deletes one of the caller's saved filters.
pub async fn delete_filter(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
) -> HubResult<()> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let fx = Effects::audit(audit(
        state.now(),
        &caller.actor(),
        AuditAction::SavedFilterChanged,
        &format!("saved_filter:{id}"),
        client.addr,
        json!({"deleted": true}),
    ));
    if state
        .store
        .delete_saved_filter(caller.staff.id, id, fx)
        .await?
    {
        Ok(())
    } else {
        Err(HubError::NotFound("saved filter"))
    }
}

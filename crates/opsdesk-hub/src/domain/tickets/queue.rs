//! Ticket reads: queue pages for the built-in views and saved filters, live counts, full-text
//! search, one ticket with its conversation, the changes feed, presence and saved filters.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::audit;
use chrono::Duration;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::ticket::{check_tag, EscalationLevel, QueueSort, QueueView};
use opsdesk_proto::{
    ChangesPage, ChangesQuery, Page, PresenceMode, PresenceView, QueueCounts, QueueQuery,
    SaveFilterRequest, SavedFilterCount, SavedFilterView, SearchHit, SearchQuery, TicketDetail,
    TicketFilter, TicketSummary, ViewCount,
};
use opsdesk_store::{cursor_of, Effects, QueueCursor, QueuePage, StoreError, TicketSpec};
use serde_json::json;
use uuid::Uuid;

/// How far ahead "breaching soon" looks.
pub const BREACHING_SOON: Duration = Duration::hours(1);
/// How far back "recently solved" looks.
pub const RECENTLY_SOLVED: Duration = Duration::days(7);
/// How long a presence heartbeat lasts.
pub const PRESENCE_TTL: Duration = Duration::seconds(45);

/// The tickets a built-in view holds for `caller`.
pub fn view_spec(state: &AppState, caller: &Caller, view: QueueView) -> TicketSpec {
    let now = state.now();
    let open = TicketSpec {
        open: Some(true),
        ..TicketSpec::default()
    };
    match view {
        QueueView::Mine => TicketSpec {
            assignee: Some(Some(caller.staff.id)),
            ..open
        },
        QueueView::Unassigned => TicketSpec {
            assignee: Some(None),
            ..open
        },
        QueueView::Escalated => TicketSpec {
            escalation_levels: Some(EscalationLevel::escalated_levels_for(caller.staff.role)),
            ..open
        },
        QueueView::BreachingSoon => TicketSpec {
            due_before: Some(now + BREACHING_SOON),
            ..open
        },
        QueueView::AllOpen => open,
        QueueView::RecentlySolved => TicketSpec {
            open: Some(false),
            solved_after: Some(now - RECENTLY_SOLVED),
            ..TicketSpec::default()
        },
    }
}

fn check_text(field: &str, text: Option<&str>) -> HubResult<Option<String>> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > 200 {
        return Err(HubError::field(field, "must be at most 200 characters"));
    }
    Ok(Some(t.to_owned()))
}

/// Adds a filter's conditions to a spec; a status filter also decides open or finished.
fn apply_filter(spec: &mut TicketSpec, f: &TicketFilter, prefix: &str) -> HubResult<()> {
    let field = |n: &str| format!("{prefix}{n}");
    if let Some(t) = f.tenant_id {
        spec.tenant_id = Some(t);
    }
    if let Some(p) = f.priority {
        spec.priority = Some(p);
    }
    if let Some(s) = f.status {
        spec.status = Some(s);
        if spec.open.is_some() && spec.open != Some(s.is_open()) {
            // An open view filtered by a finished status (or the reverse) is simply empty.
            spec.open = Some(s.is_open());
            spec.escalation_levels = Some(Vec::new());
        }
    }
    if let Some(a) = f.assignee_id {
        spec.assignee = Some(Some(a));
    }
    if let Some(g) = f.group_id {
        spec.group_id = Some(g);
    }
    if let Some(tag) = f.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        spec.tag = Some(check_tag(tag).map_err(|e| HubError::field(&field("tag"), e))?);
    }
    if let Some(text) = check_text(&field("text"), f.text.as_deref())? {
        spec.text = Some(text);
    }
    Ok(())
}

fn encode_cursor(c: QueueCursor, sort: QueueSort) -> String {
    format!("{}.{}.{}.{}", sort.as_str(), c.a, c.b, c.seq)
}

fn decode_cursor(text: &str, sort: QueueSort) -> HubResult<QueueCursor> {
    let bad = || HubError::field("cursor", "is not a cursor this hub issued for this sort");
    let mut parts = text.split('.');
    if parts.next() != Some(sort.as_str()) {
        return Err(bad());
    }
    let mut num =
        || -> HubResult<i64> { parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad) };
    let cursor = QueueCursor {
        a: num()?,
        b: num()?,
        seq: num()?,
    };
    Ok(cursor)
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
    let limit = crate::support::paging::page_limit(q.limit)?;
    let (mut spec, default_sort) = match (q.view, q.saved) {
        (Some(_), Some(_)) => {
            return Err(HubError::field(
                "saved",
                "give either `view` or `saved`, not both",
            ))
        }
        (_, Some(id)) => {
            let f = saved_filter(state, caller, id).await?;
            let mut spec = TicketSpec {
                open: if f.filter.status.is_some() {
                    None
                } else {
                    Some(true)
                },
                ..TicketSpec::default()
            };
            apply_filter(&mut spec, &f.filter, "saved.")?;
            (spec, f.sort)
        }
        (view, None) => {
            let view = view.unwrap_or(QueueView::AllOpen);
            let sort = if view == QueueView::RecentlySolved {
                QueueSort::Updated
            } else {
                QueueSort::SlaDue
            };
            (view_spec(state, caller, view), sort)
        }
    };
    apply_filter(
        &mut spec,
        &TicketFilter {
            tenant_id: q.tenant_id,
            priority: q.priority,
            status: q.status,
            assignee_id: q.assignee_id,
            group_id: q.group_id,
            tag: q.tag.clone(),
            text: q.text.clone(),
        },
        "",
    )?;
    let sort = q.sort.unwrap_or(default_sort);
    let after = q
        .cursor
        .as_deref()
        .map(|c| decode_cursor(c, sort))
        .transpose()?;
    let rows = state
        .store
        .queue_page(&QueuePage {
            spec,
            sort,
            after,
            limit: limit + 1,
        })
        .await?;
    Ok(crate::support::paging::page(
        rows,
        limit as usize,
        |r| encode_cursor(cursor_of(r, sort), sort),
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
        let mut spec = TicketSpec {
            open: if f.filter.status.is_some() {
                None
            } else {
                Some(true)
            },
            ..TicketSpec::default()
        };
        apply_filter(&mut spec, &f.filter, "saved.")?;
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
    let text = check_text("q", Some(&q.q))?
        .ok_or_else(|| HubError::field("q", "must hold at least one word to find"))?;
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
    apply_filter(&mut TicketSpec::default(), &req.filter, "filter.")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts_and_garbage() {
        let c = QueueCursor {
            a: i64::MAX,
            b: -3,
            seq: 42,
        };
        let text = encode_cursor(c, QueueSort::Priority);
        assert_eq!(decode_cursor(&text, QueueSort::Priority).unwrap(), c);
        assert!(decode_cursor(&text, QueueSort::Updated).is_err());
        assert!(decode_cursor("priority.1.x.3", QueueSort::Priority).is_err());
        assert!(decode_cursor("", QueueSort::SlaDue).is_err());
    }
}

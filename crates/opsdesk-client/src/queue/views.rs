//! Which cached tickets a queue view, saved filter and extra filters select, built the way the
//! hub builds them (`opsdesk-hub` `service/queue.rs`: `view_spec`, `apply_filter`, the cursor),
//! so a page read from the cache lists what the hub's page would.

use crate::error::ClientError;
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::ticket::{check_tag, EscalationLevel, QueueSort, QueueView};
use opsdesk_core::Role;
use opsdesk_proto::{QueueQuery, SavedFilterView, TicketFilter, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use opsdesk_store::{QueueCursor, TicketSpec};
use uuid::Uuid;

/// How far ahead "breaching soon" looks (as the hub).
pub const BREACHING_SOON: Duration = Duration::hours(1);
/// How far back "recently solved" looks (as the hub).
pub const RECENTLY_SOLVED: Duration = Duration::days(7);
/// Longest text filter, in characters (as the hub).
const TEXT_MAX: usize = 200;

/// Whose queue it is: "mine" and "escalated" depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub staff_id: Uuid,
    pub role: Role,
}

/// A page to read from the cache.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPage {
    pub spec: TicketSpec,
    pub sort: QueueSort,
    pub after: Option<QueueCursor>,
    pub limit: u32,
}

/// The tickets a built-in view holds for `viewer` at `now`.
pub fn view_spec(viewer: Viewer, view: QueueView, now: DateTime<Utc>) -> TicketSpec {
    let open = TicketSpec {
        open: Some(true),
        ..TicketSpec::default()
    };
    match view {
        QueueView::Mine => TicketSpec {
            assignee: Some(Some(viewer.staff_id)),
            ..open
        },
        QueueView::Unassigned => TicketSpec {
            assignee: Some(None),
            ..open
        },
        QueueView::Escalated => TicketSpec {
            escalation_levels: Some(EscalationLevel::escalated_levels_for(viewer.role)),
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

/// The tickets a saved filter holds: open ones unless it names a status.
pub fn saved_spec(filter: &SavedFilterView) -> Result<TicketSpec, ClientError> {
    let mut spec = TicketSpec {
        open: if filter.filter.status.is_some() {
            None
        } else {
            Some(true)
        },
        ..TicketSpec::default()
    };
    apply_filter(&mut spec, &filter.filter, "saved.")?;
    Ok(spec)
}

fn check_text(field: &str, text: Option<&str>) -> Result<Option<String>, ClientError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > TEXT_MAX {
        return Err(ClientError::invalid(
            field,
            format!("must be at most {TEXT_MAX} characters"),
        ));
    }
    Ok(Some(t.to_owned()))
}

/// Adds a filter's conditions to a spec; a status filter also decides open or finished.
pub fn apply_filter(
    spec: &mut TicketSpec,
    f: &TicketFilter,
    prefix: &str,
) -> Result<(), ClientError> {
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
        spec.tag = Some(check_tag(tag).map_err(|e| ClientError::invalid(&field("tag"), e))?);
    }
    if let Some(text) = check_text(&field("text"), f.text.as_deref())? {
        spec.text = Some(text);
    }
    Ok(())
}

/// The cursor text for the row after which the next page starts.
pub fn encode_cursor(c: QueueCursor, sort: QueueSort) -> String {
    format!("{}.{}.{}.{}", sort.as_str(), c.a, c.b, c.seq)
}

/// Reads a cursor made by [`encode_cursor`] for the same sort.
pub fn decode_cursor(text: &str, sort: QueueSort) -> Result<QueueCursor, ClientError> {
    let bad = || ClientError::invalid("cursor", "is not a cursor of this queue and sort");
    let mut parts = text.split('.');
    if parts.next() != Some(sort.as_str()) {
        return Err(bad());
    }
    let mut num = || -> Result<i64, ClientError> {
        parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)
    };
    Ok(QueueCursor {
        a: num()?,
        b: num()?,
        seq: num()?,
    })
}

/// The page `q` asks for, checked as the hub checks it. `saved` holds my saved filters.
pub fn local_page(
    q: &QueueQuery,
    viewer: Viewer,
    saved: &[SavedFilterView],
    now: DateTime<Utc>,
) -> Result<LocalPage, ClientError> {
    let limit = match q.limit {
        None => DEFAULT_PAGE_SIZE,
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
        Some(_) => {
            return Err(ClientError::invalid(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            ))
        }
    };
    let (mut spec, default_sort) = match (q.view, q.saved) {
        (Some(_), Some(_)) => {
            return Err(ClientError::invalid(
                "saved",
                "give either `view` or `saved`, not both",
            ))
        }
        (_, Some(id)) => {
            let f = saved
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| ClientError::invalid("saved", "is not one of your saved filters"))?;
            (saved_spec(f)?, f.sort)
        }
        (view, None) => {
            let view = view.unwrap_or(QueueView::AllOpen);
            let sort = if view == QueueView::RecentlySolved {
                QueueSort::Updated
            } else {
                QueueSort::SlaDue
            };
            (view_spec(viewer, view, now), sort)
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
        .filter(|c| !c.is_empty())
        .map(|c| decode_cursor(c, sort))
        .transpose()?;
    Ok(LocalPage {
        spec,
        sort,
        after,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdesk_core::ticket::TicketStatus;

    fn viewer(role: Role) -> Viewer {
        Viewer {
            staff_id: Uuid::now_v7(),
            role,
        }
    }

    #[test]
    fn views_select_like_the_hub() {
        let now = Utc::now();
        let me = viewer(Role::SeniorAgent);
        assert_eq!(
            view_spec(me, QueueView::Mine, now).assignee,
            Some(Some(me.staff_id))
        );
        assert_eq!(
            view_spec(me, QueueView::Escalated, now).escalation_levels,
            Some(vec![EscalationLevel::L2])
        );
        let solved = view_spec(me, QueueView::RecentlySolved, now);
        assert_eq!(solved.open, Some(false));
        assert_eq!(solved.solved_after, Some(now - RECENTLY_SOLVED));
    }

    #[test]
    fn an_open_view_filtered_by_a_finished_status_is_empty() {
        let q = QueueQuery {
            view: Some(QueueView::Escalated),
            status: Some(TicketStatus::Solved),
            ..QueueQuery::default()
        };
        let page = local_page(&q, viewer(Role::Manager), &[], Utc::now()).unwrap();
        assert_eq!(page.spec.open, Some(false));
        assert_eq!(page.spec.escalation_levels, Some(Vec::new()));
        assert_eq!(page.sort, QueueSort::SlaDue);
    }

    #[test]
    fn bad_queries_name_the_field() {
        let me = viewer(Role::Agent);
        let now = Utc::now();
        let cases = [
            (
                QueueQuery {
                    limit: Some(0),
                    ..QueueQuery::default()
                },
                "limit",
            ),
            (
                QueueQuery {
                    view: Some(QueueView::Mine),
                    saved: Some(Uuid::now_v7()),
                    ..QueueQuery::default()
                },
                "saved",
            ),
            (
                QueueQuery {
                    saved: Some(Uuid::now_v7()),
                    ..QueueQuery::default()
                },
                "saved",
            ),
            (
                QueueQuery {
                    tag: Some("no spaces".into()),
                    ..QueueQuery::default()
                },
                "tag",
            ),
            (
                QueueQuery {
                    text: Some("x".repeat(201)),
                    ..QueueQuery::default()
                },
                "text",
            ),
            (
                QueueQuery {
                    sort: Some(QueueSort::Priority),
                    cursor: Some("sla_due.1.0.3".into()),
                    ..QueueQuery::default()
                },
                "cursor",
            ),
        ];
        for (q, field) in cases {
            match local_page(&q, me, &[], now) {
                Err(ClientError::InvalidInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn cursors_round_trip_per_sort() {
        let c = QueueCursor {
            a: i64::MAX,
            b: -5,
            seq: 42,
        };
        let text = encode_cursor(c, QueueSort::Priority);
        assert_eq!(decode_cursor(&text, QueueSort::Priority).unwrap(), c);
        assert!(decode_cursor(&text, QueueSort::Updated).is_err());
        assert!(decode_cursor("priority.1.2", QueueSort::Priority).is_err());
    }
}

//! The queue's rules: which tickets each built-in view and saved filter holds for whom, how
//! filters narrow them, the default orders, and the page a queue request asks for. The hub reads
//! these pages from its store, the app from its cache; both build them here.

use super::cursor::QueueCursor;
use super::{check_tag, EscalationLevel, Priority, QueueSort, QueueView, TicketStatus};
use crate::events::Viewer;
use crate::paging::page_limit;
use crate::validate::FieldError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far ahead "breaching soon" looks.
pub const BREACHING_SOON: Duration = Duration::hours(1);
/// How far back "recently solved" looks.
pub const RECENTLY_SOLVED: Duration = Duration::days(7);
/// Longest text filter or search, in characters.
pub const TEXT_MAX: usize = 200;

/// Which tickets a queue page or count covers. `open` selects open or finished tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketSpec {
    pub open: Option<bool>,
    pub assignee: Option<Option<Uuid>>,
    pub escalation_levels: Option<Vec<EscalationLevel>>,
    /// Only tickets due at or before this time (breaching soon).
    pub due_before: Option<DateTime<Utc>>,
    /// Only tickets solved at or after this time (recently solved).
    pub solved_after: Option<DateTime<Utc>>,
    pub tenant_id: Option<Uuid>,
    pub priority: Option<Priority>,
    pub status: Option<TicketStatus>,
    pub group_id: Option<Uuid>,
    pub tag: Option<String>,
    pub text: Option<String>,
}

/// Filters a queue or saved filter can hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct TicketFilter {
    #[serde(default)]
    #[ts(optional)]
    pub tenant_id: Option<Uuid>,
    #[serde(default)]
    #[ts(optional)]
    pub priority: Option<Priority>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    #[ts(optional)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    #[ts(optional)]
    pub group_id: Option<Uuid>,
    #[serde(default)]
    #[ts(optional)]
    pub tag: Option<String>,
    /// Words that must appear in the subject or conversation.
    #[serde(default)]
    #[ts(optional)]
    pub text: Option<String>,
}

/// A queue page to read: which tickets, in which order, after which row, how many.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
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
            assignee: Some(Some(viewer.id)),
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

/// The order a view is shown in unless another is asked for: latest first for recently
/// solved, the SLA deadline for the rest.
pub fn default_sort(view: QueueView) -> QueueSort {
    if view == QueueView::RecentlySolved {
        QueueSort::Updated
    } else {
        QueueSort::SlaDue
    }
}

/// The tickets a saved filter holds: open ones unless it names a status. A refused filter
/// names its field under `saved.`.
pub fn saved_spec(filter: &TicketFilter) -> Result<TicketSpec, FieldError> {
    let mut spec = TicketSpec {
        open: if filter.status.is_some() {
            None
        } else {
            Some(true)
        },
        ..TicketSpec::default()
    };
    apply_filter(&mut spec, filter, "saved.")?;
    Ok(spec)
}

/// Checks a filter before it is saved, naming its fields under `prefix`, so a saved filter
/// never fails later.
pub fn check_filter(filter: &TicketFilter, prefix: &str) -> Result<(), FieldError> {
    apply_filter(&mut TicketSpec::default(), filter, prefix)
}

/// Text to find: trimmed, at most [`TEXT_MAX`] characters; `None` when blank.
pub fn check_text(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > TEXT_MAX {
        return Err(FieldError::new(
            field,
            format!("must be at most {TEXT_MAX} characters"),
        ));
    }
    Ok(Some(t.to_owned()))
}

/// Words to search for (field `q`): at least one, at most [`TEXT_MAX`] characters, trimmed.
pub fn check_search(q: &str) -> Result<String, FieldError> {
    check_text("q", Some(q))?
        .ok_or_else(|| FieldError::new("q", "must hold at least one word to find"))
}

/// Adds a filter's conditions to a spec; a status filter also decides open or finished.
fn apply_filter(spec: &mut TicketSpec, f: &TicketFilter, prefix: &str) -> Result<(), FieldError> {
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
        spec.tag = Some(check_tag(tag).map_err(|e| FieldError::new(&field("tag"), e))?);
    }
    if let Some(text) = check_text(&field("text"), f.text.as_deref())? {
        spec.text = Some(text);
    }
    Ok(())
}

/// What a queue request lists before its own filters: a built-in view or a saved filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    View(QueueView),
    /// A saved filter's id; the caller looks it up among the person's saved filters.
    Saved(Uuid),
}

/// A saved filter or view, resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Base<'a> {
    View(QueueView),
    Saved {
        filter: &'a TicketFilter,
        sort: QueueSort,
    },
}

/// A queue request, checked: its page size and what it lists; filters, order and cursor are
/// checked when the page is built.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRequest<'a> {
    pub selection: Selection,
    pub filter: TicketFilter,
    pub sort: Option<QueueSort>,
    pub cursor: Option<&'a str>,
    pub limit: u32,
}

/// The parts of a queue request as they arrive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueAsk<'a> {
    pub view: Option<QueueView>,
    pub saved: Option<Uuid>,
    pub filter: TicketFilter,
    pub sort: Option<QueueSort>,
    pub cursor: Option<&'a str>,
    pub limit: Option<u32>,
}

impl<'a> QueueRequest<'a> {
    /// Checks the page size, then that at most one of a view and a saved filter is named
    /// (`all_open` when neither is).
    pub fn new(ask: QueueAsk<'a>) -> Result<QueueRequest<'a>, FieldError> {
        let limit = page_limit(ask.limit)?;
        let selection = match (ask.view, ask.saved) {
            (Some(_), Some(_)) => {
                return Err(FieldError::new(
                    "saved",
                    "give either `view` or `saved`, not both",
                ))
            }
            (_, Some(id)) => Selection::Saved(id),
            (view, None) => Selection::View(view.unwrap_or(QueueView::AllOpen)),
        };
        Ok(QueueRequest {
            selection,
            filter: ask.filter,
            sort: ask.sort,
            cursor: ask.cursor,
            limit,
        })
    }

    /// The page to read for `viewer` at `now`, `base` being the request's selection resolved.
    pub fn page(
        &self,
        base: Base<'_>,
        viewer: Viewer,
        now: DateTime<Utc>,
    ) -> Result<QueuePage, FieldError> {
        let (mut spec, default) = match base {
            Base::View(view) => (view_spec(viewer, view, now), default_sort(view)),
            Base::Saved { filter, sort } => (saved_spec(filter)?, sort),
        };
        apply_filter(&mut spec, &self.filter, "")?;
        let sort = self.sort.unwrap_or(default);
        let after = self
            .cursor
            .map(|c| QueueCursor::decode(c, sort))
            .transpose()?;
        Ok(QueuePage {
            spec,
            sort,
            after,
            limit: self.limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    fn viewer(role: Role) -> Viewer {
        Viewer {
            id: Uuid::now_v7(),
            role,
        }
    }

    fn page_of(ask: QueueAsk<'_>, base: Base<'_>, me: Viewer) -> Result<QueuePage, FieldError> {
        QueueRequest::new(ask)?.page(base, me, Utc::now())
    }

    #[test]
    fn views_select_by_viewer_and_time() {
        let now = Utc::now();
        let me = viewer(Role::SeniorAgent);
        assert_eq!(
            view_spec(me, QueueView::Mine, now).assignee,
            Some(Some(me.id))
        );
        assert_eq!(
            view_spec(me, QueueView::Unassigned, now).assignee,
            Some(None)
        );
        assert_eq!(
            view_spec(me, QueueView::Escalated, now).escalation_levels,
            Some(vec![EscalationLevel::L2])
        );
        assert_eq!(
            view_spec(me, QueueView::BreachingSoon, now).due_before,
            Some(now + BREACHING_SOON)
        );
        assert_eq!(
            view_spec(me, QueueView::AllOpen, now),
            TicketSpec {
                open: Some(true),
                ..TicketSpec::default()
            }
        );
        let solved = view_spec(me, QueueView::RecentlySolved, now);
        assert_eq!(solved.open, Some(false));
        assert_eq!(solved.solved_after, Some(now - RECENTLY_SOLVED));
        assert_eq!(default_sort(QueueView::RecentlySolved), QueueSort::Updated);
        assert_eq!(default_sort(QueueView::Mine), QueueSort::SlaDue);
    }

    #[test]
    fn an_open_view_filtered_by_a_finished_status_is_empty() {
        let ask = QueueAsk {
            view: Some(QueueView::Escalated),
            filter: TicketFilter {
                status: Some(TicketStatus::Solved),
                ..TicketFilter::default()
            },
            ..QueueAsk::default()
        };
        let req = QueueRequest::new(ask).unwrap();
        assert_eq!(req.selection, Selection::View(QueueView::Escalated));
        let page = req
            .page(
                Base::View(QueueView::Escalated),
                viewer(Role::Manager),
                Utc::now(),
            )
            .unwrap();
        assert_eq!(page.spec.open, Some(false));
        assert_eq!(page.spec.escalation_levels, Some(Vec::new()));
        assert_eq!(page.sort, QueueSort::SlaDue);
    }

    #[test]
    fn saved_filters_hold_open_tickets_unless_they_name_a_status() {
        let tenant = Uuid::now_v7();
        let filter = TicketFilter {
            tenant_id: Some(tenant),
            tag: Some(" VIP ".into()),
            text: Some("  refund  ".into()),
            ..TicketFilter::default()
        };
        let spec = saved_spec(&filter).unwrap();
        assert_eq!(spec.open, Some(true));
        assert_eq!(spec.tenant_id, Some(tenant));
        assert_eq!(spec.tag.as_deref(), Some("vip"));
        assert_eq!(spec.text.as_deref(), Some("refund"));
        let solved = TicketFilter {
            status: Some(TicketStatus::Solved),
            ..TicketFilter::default()
        };
        assert_eq!(saved_spec(&solved).unwrap().open, None);
        // A saved filter's own order applies unless the request asks for another; the
        // request's filters narrow it further.
        let ask = QueueAsk {
            saved: Some(Uuid::now_v7()),
            filter: TicketFilter {
                priority: Some(Priority::High),
                ..TicketFilter::default()
            },
            ..QueueAsk::default()
        };
        let base = Base::Saved {
            filter: &filter,
            sort: QueueSort::Priority,
        };
        let page = page_of(ask, base, viewer(Role::Agent)).unwrap();
        assert_eq!(page.sort, QueueSort::Priority);
        assert_eq!(page.spec.priority, Some(Priority::High));
        assert_eq!(page.spec.tenant_id, Some(tenant));
        assert_eq!(page.limit, crate::paging::DEFAULT_PAGE_SIZE);
        let bad = TicketFilter {
            tag: Some("no spaces".into()),
            ..TicketFilter::default()
        };
        assert_eq!(saved_spec(&bad).unwrap_err().field, "saved.tag");
        assert_eq!(
            check_filter(&bad, "filter.").unwrap_err().field,
            "filter.tag"
        );
        assert_eq!(check_filter(&filter, "filter."), Ok(()));
    }

    #[test]
    fn bad_queries_name_the_field() {
        let me = viewer(Role::Agent);
        let all = Base::View(QueueView::AllOpen);
        let cases = [
            (
                QueueAsk {
                    limit: Some(0),
                    ..QueueAsk::default()
                },
                "limit",
            ),
            (
                QueueAsk {
                    view: Some(QueueView::Mine),
                    saved: Some(Uuid::now_v7()),
                    ..QueueAsk::default()
                },
                "saved",
            ),
            (
                QueueAsk {
                    filter: TicketFilter {
                        tag: Some("no spaces".into()),
                        ..TicketFilter::default()
                    },
                    ..QueueAsk::default()
                },
                "tag",
            ),
            (
                QueueAsk {
                    filter: TicketFilter {
                        text: Some("x".repeat(TEXT_MAX + 1)),
                        ..TicketFilter::default()
                    },
                    ..QueueAsk::default()
                },
                "text",
            ),
            (
                QueueAsk {
                    sort: Some(QueueSort::Priority),
                    cursor: Some("sla_due.1.0.3"),
                    ..QueueAsk::default()
                },
                "cursor",
            ),
        ];
        for (ask, field) in cases {
            match page_of(ask, all, me) {
                Err(e) => assert_eq!(e.field, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert_eq!(check_text("q", Some("   ")), Ok(None));
        assert_eq!(
            check_search(" printer  jam "),
            Ok("printer  jam".to_owned())
        );
        assert_eq!(check_search("  ").unwrap_err().field, "q");
        assert!(check_search(&"x".repeat(TEXT_MAX + 1)).is_err());
        assert_eq!(
            check_text("q", Some(&"é".repeat(TEXT_MAX))),
            Ok(Some("é".repeat(TEXT_MAX)))
        );
    }

    #[test]
    fn a_cursor_continues_in_its_own_sort() {
        let after = QueueCursor { a: 3, b: 4, seq: 5 };
        let text = after.encode(QueueSort::Updated);
        let ask = QueueAsk {
            view: Some(QueueView::RecentlySolved),
            cursor: Some(&text),
            limit: Some(7),
            ..QueueAsk::default()
        };
        let base = Base::View(QueueView::RecentlySolved);
        let page = page_of(ask, base, viewer(Role::Agent)).unwrap();
        assert_eq!(
            (page.sort, page.after, page.limit),
            (QueueSort::Updated, Some(after), 7)
        );
    }
}

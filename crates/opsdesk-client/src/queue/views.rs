//! The queue page the app reads from its cache, built by core's queue rules exactly as the hub
//! builds its own (`opsdesk_core::tickets::queue`); finding a saved filter among the cached ones
//! is the app's part.

use crate::error::ClientError;
use chrono::{DateTime, Utc};
pub use opsdesk_core::events::Viewer;
use opsdesk_core::tickets::queue::{Base, QueuePage, Selection};
use opsdesk_core::validate::FieldError;
use opsdesk_proto::{QueueQuery, SavedFilterView};

/// A queue rule's refusal, naming the field.
pub(crate) fn invalid(e: FieldError) -> ClientError {
    ClientError::invalid(&e.field, e.rule)
}

/// The page `q` asks for, checked as the hub checks it. `saved` holds my saved filters.
pub fn local_page(
    q: &QueueQuery,
    viewer: Viewer,
    saved: &[SavedFilterView],
    now: DateTime<Utc>,
) -> Result<QueuePage, ClientError> {
    let mut req = q.request().map_err(invalid)?;
    // A cleared cursor field from the screen starts at the first page.
    req.cursor = req.cursor.filter(|c| !c.is_empty());
    let found;
    let base = match req.selection {
        Selection::View(view) => Base::View(view),
        Selection::Saved(id) => {
            found = saved
                .iter()
                .find(|f| f.id == id)
                .ok_or_else(|| ClientError::invalid("saved", "is not one of your saved filters"))?;
            found.base()
        }
    };
    req.page(base, viewer, now).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdesk_core::tickets::{QueueSort, QueueView};
    use opsdesk_core::Role;
    use opsdesk_proto::TicketFilter;
    use uuid::Uuid;

    fn me() -> Viewer {
        Viewer {
            id: Uuid::now_v7(),
            role: Role::Agent,
        }
    }

    #[test]
    fn saved_filters_are_found_among_mine_and_empty_cursors_start_over() {
        let unknown = QueueQuery {
            saved: Some(Uuid::now_v7()),
            ..QueueQuery::default()
        };
        match local_page(&unknown, me(), &[], Utc::now()) {
            Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "saved"),
            other => panic!("{other:?}"),
        }
        let mine = SavedFilterView {
            id: Uuid::now_v7(),
            name: "VIP".into(),
            filter: TicketFilter {
                tag: Some("vip".into()),
                ..TicketFilter::default()
            },
            sort: QueueSort::Priority,
            created_at: Utc::now(),
        };
        let q = QueueQuery {
            saved: Some(mine.id),
            cursor: Some(String::new()),
            ..QueueQuery::default()
        };
        let page = local_page(&q, me(), &[mine], Utc::now()).unwrap();
        assert_eq!(page.spec.tag.as_deref(), Some("vip"));
        assert_eq!((page.sort, page.after), (QueueSort::Priority, None));
        let bad = QueueQuery {
            view: Some(QueueView::Mine),
            cursor: Some("garbage".into()),
            ..QueueQuery::default()
        };
        match local_page(&bad, me(), &[], Utc::now()) {
            Err(ClientError::InvalidInput { field, .. }) => assert_eq!(field, "cursor"),
            other => panic!("{other:?}"),
        }
    }
}

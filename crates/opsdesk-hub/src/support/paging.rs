//! Paging: page sizes, cutting fetched rows to a page with its next cursor, and reading cursors.

use crate::error::{HubError, HubResult};
use opsdesk_proto::Page;

/// Clamps a page size, naming the field when it is out of range.
pub fn page_limit(limit: Option<u32>) -> HubResult<u32> {
    match limit {
        None => Ok(opsdesk_proto::DEFAULT_PAGE_SIZE),
        Some(n) if (1..=opsdesk_proto::MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(HubError::field(
            "limit",
            format!("must be between 1 and {}", opsdesk_proto::MAX_PAGE_SIZE),
        )),
    }
}

/// Cuts `rows` (fetched with one extra) to a page with the next cursor.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: usize,
    cursor_of: impl Fn(&R) -> String,
    view: impl Fn(&R) -> T,
) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(&cursor_of)
    } else {
        None
    };
    Page {
        items: rows.iter().map(view).collect(),
        next_cursor,
    }
}

/// Reads a sequence cursor (a positive number this hub issued).
pub fn parse_cursor(cursor: Option<&str>) -> HubResult<Option<i64>> {
    cursor
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| HubError::field("cursor", "is not a cursor this hub issued"))
        })
        .transpose()
}

//! Paging: page sizes, cutting fetched rows to a page with its next cursor, and reading cursors.

use crate::error::{HubError, HubResult};
use opsdesk_proto::Page;

/// Clamps a page size, naming the field when it is out of range (core's rule).
pub fn page_limit(limit: Option<u32>) -> HubResult<u32> {
    Ok(opsdesk_core::paging::page_limit(limit)?)
}

/// Cuts `rows` (fetched with one extra) to a page with the next cursor (core's window).
pub fn page<R, T>(
    rows: Vec<R>,
    limit: usize,
    cursor_of: impl Fn(&R) -> String,
    view: impl Fn(&R) -> T,
) -> Page<T> {
    let (rows, next_cursor) = opsdesk_core::paging::cut(rows, limit, cursor_of);
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

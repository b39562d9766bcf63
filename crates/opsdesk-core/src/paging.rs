//! Page windows of every listing: the page sizes a caller may ask for, and cutting the rows read
//! (one more than the page, to learn whether another page follows) to a page and its cursor.

use crate::validate::FieldError;

/// Largest page a listing returns.
pub const MAX_PAGE_SIZE: u32 = 200;
/// Page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// The page size for `limit`: the default when absent, refused (naming `limit`) outside 1 to
/// [`MAX_PAGE_SIZE`].
pub fn page_limit(limit: Option<u32>) -> Result<u32, FieldError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        Some(_) => Err(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// How many rows to read for a page of `limit`: one more, to learn whether another follows.
pub fn rows_to_read(limit: u32) -> u32 {
    limit + 1
}

/// Cuts `rows` (read with [`rows_to_read`]) to a page of `limit`, with the cursor of its last
/// row when another page follows.
pub fn cut<R, C>(
    mut rows: Vec<R>,
    limit: usize,
    cursor_of: impl Fn(&R) -> C,
) -> (Vec<R>, Option<C>) {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(cursor_of)
    } else {
        None
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_default_and_stay_in_range() {
        assert_eq!(page_limit(None), Ok(DEFAULT_PAGE_SIZE));
        assert_eq!(page_limit(Some(1)), Ok(1));
        assert_eq!(page_limit(Some(MAX_PAGE_SIZE)), Ok(MAX_PAGE_SIZE));
        for bad in [0, MAX_PAGE_SIZE + 1] {
            let e = page_limit(Some(bad)).unwrap_err();
            assert_eq!(e.field, "limit");
            assert_eq!(e.rule, "must be between 1 and 200");
        }
    }

    #[test]
    fn a_cursor_only_when_another_page_follows() {
        let read = rows_to_read(3) as usize;
        let (page, next) = cut((1..=read).collect::<Vec<_>>(), 3, |n| n * 10);
        assert_eq!((page, next), (vec![1, 2, 3], Some(30)));
        let (page, next) = cut(vec![1, 2, 3], 3, |n| n * 10);
        assert_eq!((page, next), (vec![1, 2, 3], None));
        let (page, next) = cut(Vec::<i32>::new(), 3, |n| n * 10);
        assert_eq!((page, next), (Vec::new(), None));
    }
}

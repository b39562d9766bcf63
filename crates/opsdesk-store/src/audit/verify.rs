//! Verifying the audit chain: every entry is recomputed in order, streaming in batches with
//! borrowed text, and the first break is reported. The one query that reads rows by index
//! rather than through [`crate::query::Sql`], so each backend's
//! [`crate::dialect::Dialect::verify_audit_chain`] calls it with its own database.

use super::rows::AUDIT_COLUMNS;
use crate::{ChainReport, StoreResult};
use futures::TryStreamExt as _;
use opsdesk_core::audit::{AuditFields, ChainVerifier};
use sqlx::Row as _;

/// Streams the chain in order through the verifier; stops at the first break.
pub(crate) async fn verify_chain<DB>(pool: &sqlx::Pool<DB>) -> StoreResult<ChainReport>
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'r> &'r str: sqlx::Type<DB> + sqlx::Decode<'r, DB>,
{
    // Rows are handled in batches: freeing each row while the driver allocates the next ones
    // made both threads contend on SQLite's allocator lock (2-4x slower).
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq");
    let mut batches = sqlx::query(&sql).fetch(pool).try_chunks(1024);
    let mut verifier = ChainVerifier::new();
    while let Some(batch) = batches.try_next().await.map_err(|e| e.1)? {
        for row in &batch {
            // Borrowed text: no allocation per entry.
            let fields = AuditFields {
                seq: row.try_get(0)?,
                at_ms: row.try_get(1)?,
                actor: row.try_get(2)?,
                action: row.try_get(3)?,
                target: row.try_get(4)?,
                client_addr: row.try_get(5)?,
                details: row.try_get(6)?,
            };
            if let Err(first_break) = verifier.push(&fields, row.try_get(7)?, row.try_get(8)?) {
                return Ok(ChainReport {
                    checked: verifier.checked(),
                    first_break: Some(first_break),
                });
            }
        }
    }
    Ok(ChainReport {
        checked: verifier.checked(),
        first_break: None,
    })
}

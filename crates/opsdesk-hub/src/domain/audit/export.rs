//! Audit export for compliance reporting: every entry matching a filter, oldest first, as JSON
//! Lines or CSV, streamed page by page so an export of millions of entries runs in flat memory.

use crate::context::{Caller, ClientInfo};
use crate::domain::audit::{entry, validated_filter};
use crate::error::HubResult;
use crate::state::AppState;
use crate::support::csv::csv_cell;
use crate::support::effects::audit;
use bytes::Bytes;
use futures::Stream;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_proto::{AuditExportQuery, ExportFormat};
use opsdesk_store::{AuditFilter, AuditRecord, Effects, Store};
use serde_json::json;
use std::sync::Arc;

/// Entries fetched per page while exporting.
const EXPORT_PAGE: u32 = 2_000;

/// The CSV header row.
pub const CSV_HEADER: &str = "seq,at,actor,action,target,client_addr,details,prev_hash,hash\n";

/// Renders entries in `format`; each entry ends with a newline.
pub fn render(records: &[AuditRecord], format: ExportFormat) -> String {
    let mut out = String::with_capacity(records.len() * 320);
    for r in records {
        match format {
            ExportFormat::Jsonl => {
                out.push_str(&serde_json::to_string(&entry(r)).unwrap_or_default());
            }
            ExportFormat::Csv => {
                let at = r.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                let seq = r.seq.to_string();
                let fields = [
                    seq.as_str(),
                    &at,
                    &r.actor,
                    &r.action,
                    &r.target,
                    &r.client_addr,
                    &r.details,
                    &r.prev_hash,
                    &r.hash,
                ];
                let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
                out.push_str(&cells.join(","));
            }
        }
        out.push('\n');
    }
    out
}

/// Pages of entries matching `filter`, oldest first.
pub fn pages(
    store: Arc<dyn Store>,
    filter: AuditFilter,
) -> impl Stream<Item = Result<Vec<AuditRecord>, opsdesk_store::StoreError>> + Send {
    futures::stream::try_unfold(Some(0i64), move |after| {
        let store = store.clone();
        let mut filter = filter.clone();
        async move {
            let Some(after) = after else { return Ok(None) };
            filter.after_seq = Some(after);
            filter.oldest_first = true;
            filter.limit = EXPORT_PAGE;
            let rows = store.list_audit(&filter).await?;
            if rows.is_empty() {
                return Ok(None);
            }
            let next = (rows.len() == EXPORT_PAGE as usize).then(|| rows[rows.len() - 1].seq);
            Ok(Some((rows, next)))
        }
    })
}

/// Checks the request, records the export in the audit trail, and returns the body as a stream
/// of bytes (header first for CSV).
pub async fn export(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    q: AuditExportQuery,
) -> HubResult<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
    Granted::<cap::AuditRead>::check(caller.staff.role)?;
    let format = q.format;
    let filter = validated_filter(q.actor, q.action, q.target, q.since, q.until)?;
    let fx = Effects::audit(audit(
        state.now(),
        &caller.actor(),
        AuditAction::AuditExported,
        "audit",
        client.addr,
        json!({"format": format, "actor": filter.actor, "action": filter.action,
               "target": filter.target, "since": filter.since, "until": filter.until}),
    ));
    state.store.record(fx).await?;
    use futures::StreamExt as _;
    let header = futures::stream::iter(
        (format == ExportFormat::Csv).then(|| Ok(Bytes::from_static(CSV_HEADER.as_bytes()))),
    );
    let body = pages(state.store.clone(), filter).map(move |page| {
        page.map(|rows| Bytes::from(render(&rows, format)))
            .map_err(std::io::Error::other)
    });
    Ok(header.chain(body))
}

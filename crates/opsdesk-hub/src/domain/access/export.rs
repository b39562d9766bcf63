//! Exporting access requests as CSV for auditors.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::support::csv::csv_cell;
use crate::support::effects::audit;

use super::check_range;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use opsdesk_core::access::RequestStatus;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_proto::{AccessExportQuery, AccessRequestView, ExportFormat};
use opsdesk_store::{AccessRequestFilter, Effects};
use serde_json::json;

/// Most requests one export holds.
pub const EXPORT_MAX: u32 = 10_000;

/// The CSV header of an access export.
pub const EXPORT_CSV_HEADER: &str = "id,created_at,tenant,requester,requester_role,scope,reason,\
duration_minutes,start_at,ticket_number,status,decided_at,reviews,grant_id,grant_starts_at,\
grant_ends_at,grant_ended_at,grant_end_reason,grant_ended_by\n";

fn time_cell(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn csv_row(r: &AccessRequestView) -> String {
    let reviews: Vec<String> = r
        .reviews
        .iter()
        .map(|rv| {
            format!(
                "{} {} {}{}",
                time_cell(Some(rv.at)),
                rv.reviewer.display_name,
                if rv.approved { "approved" } else { "denied" },
                rv.comment
                    .as_deref()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let g = r.grant.as_ref();
    let cells = [
        r.id.to_string(),
        time_cell(Some(r.created_at)),
        r.tenant.slug.clone(),
        r.requester.display_name.clone(),
        r.requester.role.to_string(),
        r.scope.to_string(),
        r.reason.clone(),
        r.duration_minutes.to_string(),
        time_cell(r.start_at),
        r.ticket_number.map(|n| n.to_string()).unwrap_or_default(),
        r.status.to_string(),
        time_cell(r.decided_at),
        reviews.join(" | "),
        g.map(|g| g.id.to_string()).unwrap_or_default(),
        time_cell(g.map(|g| g.starts_at)),
        time_cell(g.map(|g| g.ends_at)),
        time_cell(g.and_then(|g| g.ended_at)),
        g.and_then(|g| g.end_reason)
            .map(|e| e.to_string())
            .unwrap_or_default(),
        g.and_then(|g| g.ended_by.as_ref())
            .map(|s| s.display_name.clone())
            .unwrap_or_default(),
    ];
    let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
    cells.join(",") + "\n"
}

/// Every reviewed (decided) request matching the filter, oldest first, for an auditor: JSON
/// Lines of [`AccessRequestView`] or CSV. Returns the content type and the text.
pub async fn export(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    q: AccessExportQuery,
) -> HubResult<(&'static str, String)> {
    Granted::<cap::AccessReview>::check(caller.staff.role)?;
    check_range(q.from, q.to)?;
    let format = q.format.unwrap_or(ExportFormat::Jsonl);
    let now = state.now();
    let mut rows: Vec<AccessRequestView> = Vec::new();
    let mut before_seq = None;
    loop {
        let page = state
            .store
            .list_access_requests(&AccessRequestFilter {
                tenant_id: q.tenant_id,
                from: q.from,
                to: q.to,
                before_seq,
                limit: 1000,
                now,
                ..Default::default()
            })
            .await?;
        let n = page.len();
        before_seq = page.last().map(|r| r.seq);
        rows.extend(
            page.into_iter()
                .filter(|r| r.view.status != RequestStatus::Pending)
                .map(|r| r.view),
        );
        if rows.len() > EXPORT_MAX as usize {
            return Err(HubError::unprocessable(
                "export_too_large",
                format!(
                    "more than {EXPORT_MAX} requests match; narrow it with `from`, `to` or `tenant_id`"
                ),
            ));
        }
        if n < 1000 {
            break;
        }
    }
    rows.reverse();
    let (content_type, text) = match format {
        ExportFormat::Jsonl => (
            "application/x-ndjson",
            rows.iter()
                .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
                .collect::<String>(),
        ),
        ExportFormat::Csv => (
            "text/csv; charset=utf-8",
            std::iter::once(EXPORT_CSV_HEADER.to_owned())
                .chain(rows.iter().map(csv_row))
                .collect::<String>(),
        ),
    };
    state
        .store
        .record(Effects::audit(audit(
            now,
            &caller.actor(),
            AuditAction::AccessExported,
            "access_requests",
            client.addr,
            json!({
                "format": format,
                "tenant_id": q.tenant_id,
                "from": q.from,
                "to": q.to,
                "requests": rows.len(),
            }),
        )))
        .await?;
    Ok((content_type, text))
}

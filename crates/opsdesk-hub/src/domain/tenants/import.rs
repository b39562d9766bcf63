//! Importing tenants from JSON or CSV, every row checked before anything is written.

use super::draft;
use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::csv::{import_rows, CsvTable};
use crate::support::effects::audit;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::tenant::TenantStatus;
use opsdesk_proto::{CreateTenantRequest, TenantImportResult};
use opsdesk_store::{Effects, TenantDraft};
use serde_json::json;

/// Parses an import body: a JSON array of tenants, or CSV with a header row naming `name`,
/// `slug`, `plan` and optionally `status`. Every row is checked before anything is written;
/// errors name the row.
pub fn parse_import(content_type: &str, body: &[u8]) -> HubResult<Vec<TenantDraft>> {
    let requests = import_rows(content_type, body, "tenants", parse_csv)?;
    let mut seen = std::collections::HashSet::new();
    let mut drafts = Vec::with_capacity(requests.len());
    for (prefix, req) in requests {
        let d = draft(req, &prefix)?;
        if !seen.insert(d.slug.clone()) {
            return Err(HubError::field(
                &format!("{prefix}slug"),
                format!("`{}` appears twice in this import", d.slug),
            ));
        }
        drafts.push(d);
    }
    Ok(drafts)
}

fn parse_csv(text: &str) -> HubResult<Vec<(String, CreateTenantRequest)>> {
    let table = CsvTable::parse(text, &["name", "slug", "plan"], &["status"])?;
    let mut out = Vec::new();
    for row in &table.rows {
        let status = match row.optional(&table, "status") {
            None => None,
            Some(s) => Some(
                s.parse::<TenantStatus>()
                    .map_err(|e| HubError::field(&row.field("status"), e))?,
            ),
        };
        out.push((
            row.prefix(),
            CreateTenantRequest {
                name: row.cell(&table, "name"),
                slug: row.cell(&table, "slug"),
                plan: row.cell(&table, "plan"),
                status,
            },
        ));
    }
    Ok(out)
}

/// Imports tenants, creating new slugs and updating known ones, all or nothing (admins).
pub async fn import(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    content_type: &str,
    body: &[u8],
) -> HubResult<TenantImportResult> {
    let admin = Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let drafts = parse_import(content_type, body)?;
    let now = state.now();
    let slugs: Vec<&str> = drafts.iter().map(|d| d.slug.as_str()).take(50).collect();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantsImported,
        "tenants",
        client.addr,
        json!({"rows": drafts.len(), "first_slugs": slugs}),
    ));
    let (created, updated) = state.store.import_tenants(&admin, drafts, now, fx).await?;
    Ok(TenantImportResult { created, updated })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_field(r: HubResult<Vec<TenantDraft>>) -> String {
        match r {
            Err(HubError::InvalidField { field, rule }) => format!("{field}: {rule}"),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn csv_import_reads_quoted_cells_and_names_the_bad_line() {
        let csv =
            "name,slug,plan,status\r\n\"Acme, Inc.\",acme,pro,trial\n\"Beta \"\"B\"\"\",beta,free,\n";
        let drafts = parse_import("text/csv", csv.as_bytes()).unwrap();
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].name, "Acme, Inc.");
        assert_eq!(drafts[0].status, TenantStatus::Trial);
        assert_eq!(drafts[1].name, "Beta \"B\"");
        assert_eq!(drafts[1].status, TenantStatus::Active);
        let bad = "name,slug,plan\nAcme,acme,pro\nBad,1bad,pro\n";
        assert!(err_field(parse_import("text/csv", bad.as_bytes())).starts_with("line 3: slug"));
        let dup = "name,slug,plan\nA,acme,pro\nB,acme,pro\n";
        assert!(err_field(parse_import("text/csv", dup.as_bytes())).contains("appears twice"));
        assert!(err_field(parse_import("text/csv", b"slug,plan\nx,y\n")).contains("`name`"));
    }

    #[test]
    fn json_import_names_the_index() {
        let body =
            br#"[{"name":"Acme","slug":"acme","plan":"pro"},{"name":"","slug":"b","plan":"pro"}]"#;
        assert!(err_field(parse_import("application/json", body)).starts_with("[1].name"));
        assert!(matches!(
            parse_import("text/plain", body),
            Err(HubError::UnsupportedMediaType(_))
        ));
    }
}

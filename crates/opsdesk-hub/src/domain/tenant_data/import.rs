//! Loading a tenant's users from the platform (admins): JSON or CSV, checked before anything is
//! written.

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::csv::{import_rows, CsvTable};
use crate::support::effects::audit;
use opsdesk_core::access::{check_user_name, TenantUserRole, TenantUserStatus};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted, TenantDataLoad};
use opsdesk_core::validate::Email;
use opsdesk_proto::{TenantUserImport, TenantUserImportResult};
use opsdesk_store::{Effects, TenantUserDraft};
use serde_json::json;
use uuid::Uuid;

fn parse_users_csv(text: &str) -> HubResult<Vec<(String, TenantUserImport)>> {
    let table = CsvTable::parse(
        text,
        &["name", "email", "role"],
        &["status", "mfa_enabled", "last_sign_in_at"],
    )?;
    let mut out = Vec::new();
    for row in &table.rows {
        let at = |f: &str| row.field(f);
        out.push((
            row.prefix(),
            TenantUserImport {
                name: row.cell(&table, "name"),
                email: row.cell(&table, "email"),
                role: row
                    .cell(&table, "role")
                    .trim()
                    .parse::<TenantUserRole>()
                    .map_err(|e| HubError::field(&at("role"), e))?,
                status: row
                    .optional(&table, "status")
                    .map(|s| s.parse::<TenantUserStatus>())
                    .transpose()
                    .map_err(|e| HubError::field(&at("status"), e))?,
                mfa_enabled: match row.optional(&table, "mfa_enabled").as_deref() {
                    None | Some("false") | Some("0") | Some("no") => false,
                    Some("true") | Some("1") | Some("yes") => true,
                    Some(other) => {
                        return Err(HubError::field(
                            &at("mfa_enabled"),
                            format!("`{other}` is not true or false"),
                        ))
                    }
                },
                last_sign_in_at: row
                    .optional(&table, "last_sign_in_at")
                    .map(|s| chrono::DateTime::parse_from_rfc3339(&s).map(|t| t.to_utc()))
                    .transpose()
                    .map_err(|_| {
                        HubError::field(
                            &at("last_sign_in_at"),
                            "must be an RFC 3339 time such as 2026-11-21T09:30:00Z",
                        )
                    })?,
            },
        ));
    }
    Ok(out)
}

/// Checks an import: every row, and no email twice.
pub fn parse_users_import(content_type: &str, body: &[u8]) -> HubResult<Vec<TenantUserDraft>> {
    let rows = import_rows(content_type, body, "users", parse_users_csv)?;
    let mut seen = std::collections::HashSet::new();
    let mut drafts = Vec::with_capacity(rows.len());
    for (prefix, r) in rows {
        let field = |f: &str| format!("{prefix}{f}");
        let name = check_user_name(&r.name).map_err(|e| HubError::field(&field("name"), e))?;
        let email = Email::parse(r.email.trim())
            .map_err(|e| HubError::field(&field("email"), e))?
            .as_str()
            .to_lowercase();
        if !seen.insert(email.clone()) {
            return Err(HubError::field(
                &field("email"),
                format!("`{email}` appears twice in this import"),
            ));
        }
        drafts.push(TenantUserDraft {
            name,
            email,
            role: r.role,
            status: r.status.unwrap_or(TenantUserStatus::Active),
            mfa_enabled: r.mfa_enabled,
            last_sign_in_at: r.last_sign_in_at,
        });
    }
    Ok(drafts)
}

/// Loads a tenant's users from the platform (admins), all or nothing; users are matched by
/// email.
pub async fn import_users(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    tenant_id: Uuid,
    content_type: &str,
    body: &[u8],
) -> HubResult<TenantUserImportResult> {
    let admin = Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let tenant = state
        .store
        .tenant_by_id(tenant_id)
        .await?
        .ok_or(HubError::NotFound("tenant"))?;
    let drafts = parse_users_import(content_type, body)?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantUsersImported,
        &format!("tenant:{tenant_id}"),
        client.addr,
        json!({
            "tenant": tenant.slug,
            "rows": drafts.len(),
            // Who was loaded (the first 500), so a change to a user traces to its import.
            "users": drafts
                .iter()
                .take(500)
                .map(|d| json!({ "email": d.email, "role": d.role, "status": d.status, "mfa": d.mfa_enabled }))
                .collect::<Vec<_>>(),
        }),
    ));
    let load = TenantDataLoad::check(&admin, tenant_id);
    let (created, updated) = state
        .store
        .import_tenant_users(&load, drafts, now, fx)
        .await?;
    Ok(TenantUserImportResult { created, updated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_imports_name_the_line_and_field() {
        let csv = "name,email,role\nAda,ada@acme.test,owner\nBob,not-an-email,member\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 3: email"), "{e}");
        let csv = "name,email,role\nAda,ada@acme.test,owner\nAda 2,ADA@acme.test,member\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let csv = "name,email,role,mfa_enabled\nAda,ada@acme.test,wizard,true\n";
        let e = parse_users_import("text/csv", csv.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("line 2: role"), "{e}");
        let ok = parse_users_import(
            "application/json",
            br#"[{"name":"Ada","email":"Ada@Acme.test","role":"owner","mfa_enabled":true}]"#,
        )
        .unwrap();
        assert_eq!(ok[0].email, "ada@acme.test");
        assert!(ok[0].mfa_enabled);
    }
}

//! The tenants directory (create, edit, import from JSON or CSV), integration tokens for the
//! platform's intake, ticket groups and SLA policies.

use crate::context::Integration;
use crate::error::{HubError, HubResult};
use crate::context::ClientInfo;
use crate::secrets;
use crate::context::Caller;
use crate::support::effects::audit;
use crate::service::staff::page_limit;
use crate::state::AppState;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::{cap, Granted};
use opsdesk_core::sla::SlaTargets;
use opsdesk_core::tenant::{check_plan, check_slug, check_tenant_name, TenantStatus};
use opsdesk_core::ticket::Priority;
use opsdesk_core::Role;
use opsdesk_proto::{
    Assignee, CreateIntegrationTokenRequest, CreateTenantRequest, GroupRequest, GroupView,
    IntegrationTokenIssued, IntegrationTokenView, Page, SlaPolicyRequest, SlaPolicyView,
    TenantImportResult, TenantQuery, TenantView, UpdateTenantRequest,
};
use opsdesk_store::{
    Effects, NewIntegrationToken, StaffFilter, StoreError, TenantDraft, TenantPatch,
};
use serde_json::json;
use uuid::Uuid;

/// Most tenants one import may hold.
pub const IMPORT_MAX_ROWS: usize = 10_000;

/// Resolves an integration token (stored hashed); revoked tokens fail.
pub async fn authenticate_integration(state: &AppState, token: &str) -> HubResult<Integration> {
    state
        .store
        .use_integration_token(&secrets::token_hash(token), state.now())
        .await?
        .map(|token| Integration { token })
        .ok_or_else(|| {
            HubError::unauthenticated(
                "invalid_token",
                "this integration token is unknown or revoked; ask an admin for a new one",
            )
        })
}

fn draft(req: CreateTenantRequest, prefix: &str) -> HubResult<TenantDraft> {
    let field = |name: &str| format!("{prefix}{name}");
    Ok(TenantDraft {
        name: check_tenant_name(&req.name).map_err(|e| HubError::field(&field("name"), e))?,
        slug: check_slug(&req.slug).map_err(|e| HubError::field(&field("slug"), e))?,
        plan: check_plan(&req.plan).map_err(|e| HubError::field(&field("plan"), e))?,
        status: req.status.unwrap_or(TenantStatus::Active),
    })
}

fn duplicate_slug(e: StoreError) -> HubError {
    match e {
        StoreError::Duplicate { .. } => HubError::Conflict {
            code: "duplicate",
            message: "`slug` is already taken by another tenant".into(),
            current: None,
        },
        other => other.into(),
    }
}

/// Lists tenants by name (anyone who reads tickets: the queue filters by tenant).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    q: TenantQuery,
) -> HubResult<Page<TenantView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    let limit = page_limit(q.limit)?;
    let prefix = q.q.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if prefix.is_some_and(|p| p.chars().count() > 120) {
        return Err(HubError::field("q", "must be at most 120 characters"));
    }
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => {
            let (name, id) = c
                .rsplit_once('|')
                .and_then(|(n, id)| Some((n.to_owned(), Uuid::parse_str(id).ok()?)))
                .ok_or_else(|| HubError::field("cursor", "is not a cursor this hub issued"))?;
            Some((name, id))
        }
    };
    let rows = state
        .store
        .list_tenants(
            prefix,
            after.as_ref().map(|(n, id)| (n.as_str(), *id)),
            limit + 1,
        )
        .await?;
    Ok(crate::service::staff::page(
        rows,
        limit as usize,
        |t| format!("{}|{}", t.name, t.id),
        Clone::clone,
    ))
}

/// Creates a tenant (admins).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: CreateTenantRequest,
) -> HubResult<TenantView> {
    Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let d = draft(req, "")?;
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantCreated,
        &format!("tenant:{id}"),
        client.addr,
        json!({"name": d.name, "slug": d.slug, "plan": d.plan, "status": d.status}),
    ));
    state
        .store
        .create_tenant(id, d, now, fx)
        .await
        .map_err(duplicate_slug)
}

/// Edits a tenant (admins); a stale version gets 409 with the tenant now.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: UpdateTenantRequest,
) -> HubResult<TenantView> {
    Granted::<cap::TenantsManage>::check(caller.staff.role)?;
    let patch = TenantPatch {
        name: req
            .name
            .as_deref()
            .map(check_tenant_name)
            .transpose()
            .map_err(|e| HubError::field("name", e))?,
        plan: req
            .plan
            .as_deref()
            .map(check_plan)
            .transpose()
            .map_err(|e| HubError::field("plan", e))?,
        status: req.status,
    };
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::TenantUpdated,
        &format!("tenant:{id}"),
        client.addr,
        json!({"name": patch.name, "plan": patch.plan, "status": patch.status, "version": req.version}),
    ));
    match state
        .store
        .update_tenant(id, req.version, patch, now, fx)
        .await
    {
        Err(StoreError::VersionConflict) => {
            let current = state.store.tenant_by_id(id).await?;
            Err(HubError::Conflict {
                code: "version_conflict",
                message: "this tenant changed since you read it; review it and try again".into(),
                current: current.and_then(|t| serde_json::to_value(t).ok()),
            })
        }
        Err(StoreError::NotFound) => Err(HubError::NotFound("tenant")),
        other => Ok(other?),
    }
}

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

/// A CSV import: the header row names the columns (in any order, any case), then one record a
/// line; blank lines are skipped.
pub struct CsvTable {
    columns: Vec<(String, Option<usize>)>,
    pub rows: Vec<CsvRow>,
}

/// One non-blank record and its line number (the header is line 1).
pub struct CsvRow {
    pub line: usize,
    cells: Vec<String>,
}

impl CsvTable {
    /// Parses `text`, refusing a header without every `required` column.
    pub fn parse(text: &str, required: &[&str], optional: &[&str]) -> HubResult<CsvTable> {
        let mut records = csv_records(text)?.into_iter();
        let header = records.next().ok_or_else(|| {
            HubError::field("body", "is empty; the first line must name the columns")
        })?;
        let position = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let columns: Vec<(String, Option<usize>)> = required
            .iter()
            .chain(optional)
            .map(|c| ((*c).to_owned(), position(c)))
            .collect();
        if required.iter().any(|c| position(c).is_none()) {
            let names = |cs: &[&str]| {
                cs.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let also = if optional.is_empty() {
                String::new()
            } else {
                format!(" (and optionally {})", names(optional))
            };
            return Err(HubError::field(
                "body",
                format!(
                    "the first CSV line must name the columns {}{also}",
                    names(required)
                ),
            ));
        }
        let rows = records
            .enumerate()
            .filter(|(_, cells)| !cells.iter().all(|c| c.trim().is_empty()))
            .map(|(i, cells)| CsvRow { line: i + 2, cells })
            .collect();
        Ok(CsvTable { columns, rows })
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.columns
            .iter()
            .find(|(c, _)| c == column)
            .and_then(|(_, i)| *i)
    }
}

impl CsvRow {
    /// The cell of `column` as written (empty when the row is short or the column absent).
    pub fn cell(&self, table: &CsvTable, column: &str) -> String {
        table
            .index(column)
            .and_then(|i| self.cells.get(i))
            .cloned()
            .unwrap_or_default()
    }
    /// The trimmed cell of `column`, or `None` when it is empty or absent.
    pub fn optional(&self, table: &CsvTable, column: &str) -> Option<String> {
        Some(self.cell(table, column).trim().to_owned()).filter(|c| !c.is_empty())
    }
    /// `line n: ` — the prefix of this row's field names in errors.
    pub fn prefix(&self) -> String {
        format!("line {}: ", self.line)
    }
    /// `line n: field`.
    pub fn field(&self, field: &str) -> String {
        format!("line {}: {field}", self.line)
    }
}

/// The rows of an import body: a JSON array of `T` (prefixes `[i].`) or CSV parsed by `csv`
/// (prefixes `line n: `), between 1 and [`IMPORT_MAX_ROWS`] of them; `noun` names them in errors.
pub fn import_rows<T: serde::de::DeserializeOwned>(
    content_type: &str,
    body: &[u8],
    noun: &str,
    csv: impl Fn(&str) -> HubResult<Vec<(String, T)>>,
) -> HubResult<Vec<(String, T)>> {
    let text =
        std::str::from_utf8(body).map_err(|_| HubError::field("body", "must be UTF-8 text"))?;
    let rows: Vec<(String, T)> = if content_type.starts_with("text/csv") {
        csv(text)?
    } else if content_type.starts_with("application/json") {
        let rows: Vec<T> = crate::support::json::parse_json(body)?;
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| (format!("[{i}]."), r))
            .collect()
    } else {
        return Err(HubError::BadRequest {
            code: "unsupported_media_type",
            message: format!("send the {noun} as `application/json` (an array) or `text/csv`"),
            status: 415,
        });
    };
    if rows.is_empty() {
        return Err(HubError::field("body", format!("holds no {noun}")));
    }
    if rows.len() > IMPORT_MAX_ROWS {
        return Err(HubError::field(
            "body",
            format!(
                "holds {} {noun}; import at most {IMPORT_MAX_ROWS} at a time",
                rows.len()
            ),
        ));
    }
    Ok(rows)
}

/// RFC 4180 records: commas, double-quoted cells with `""` for a quote, CRLF or LF lines.
fn csv_records(text: &str) -> HubResult<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(HubError::field(
            "body",
            "has a quoted CSV cell that never closes",
        ));
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    Ok(records)
}

/// Imports tenants, creating new slugs and updating known ones, all or nothing (admins).
pub async fn import(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    content_type: &str,
    body: &[u8],
) -> HubResult<TenantImportResult> {
    Granted::<cap::TenantsManage>::check(caller.staff.role)?;
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
    let (created, updated) = state.store.import_tenants(drafts, now, fx).await?;
    Ok(TenantImportResult { created, updated })
}

// ---- integration tokens -------------------------------------------------------------------------

/// Creates an integration token; the secret is returned once (admins).
pub async fn create_token(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: CreateIntegrationTokenRequest,
) -> HubResult<IntegrationTokenIssued> {
    Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    let name = check_tenant_name(&req.name).map_err(|e| HubError::field("name", e))?;
    let secret = secrets::new_token("odt_");
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::IntegrationTokenCreated,
        &format!("integration:{id}"),
        client.addr,
        json!({"name": name}),
    ));
    let token = state
        .store
        .create_integration_token(
            NewIntegrationToken {
                id,
                name,
                token_hash: secrets::token_hash(&secret),
                created_by: caller.staff.id,
                created_at: now,
            },
            fx,
        )
        .await?;
    Ok(IntegrationTokenIssued { token, secret })
}

/// Lists integration tokens (admins).
pub async fn list_tokens(
    state: &AppState,
    caller: &Caller,
) -> HubResult<Vec<IntegrationTokenView>> {
    Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    Ok(state.store.list_integration_tokens().await?)
}

/// Revokes an integration token; it stops working at once (admins).
pub async fn revoke_token(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
) -> HubResult<IntegrationTokenView> {
    Granted::<cap::SettingsManage>::check(caller.staff.role)?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::IntegrationTokenRevoked,
        &format!("integration:{id}"),
        client.addr,
        json!({}),
    ));
    match state.store.revoke_integration_token(id, now, fx).await {
        Err(StoreError::NotFound) => Err(HubError::NotFound("integration token")),
        Err(StoreError::AlreadyUsed(_)) => Err(HubError::unprocessable(
            "already_revoked",
            "this integration token is already revoked",
        )),
        other => Ok(other?),
    }
}

// ---- groups, assignees and SLA policies ---------------------------------------------------------

async fn check_members(state: &AppState, members: &[Uuid]) -> HubResult<Vec<Uuid>> {
    let mut ids = members.to_vec();
    ids.sort();
    ids.dedup();
    if ids.len() > 200 {
        return Err(HubError::field(
            "member_ids",
            "must hold at most 200 people",
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        let staff = state.store.staff_by_id(*id).await?;
        match staff {
            Some(s) if s.role >= Role::Agent => {}
            Some(_) => {
                return Err(HubError::field(
                    &format!("member_ids[{i}]"),
                    "is a viewer; only agents and above work tickets",
                ))
            }
            None => {
                return Err(HubError::field(
                    &format!("member_ids[{i}]"),
                    "is not a staff member",
                ))
            }
        }
    }
    Ok(ids)
}

/// Lists groups with their members (anyone who reads tickets).
pub async fn groups(state: &AppState, caller: &Caller) -> HubResult<Vec<GroupView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    Ok(state.store.list_groups().await?)
}

/// Creates a group (managers).
pub async fn create_group(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    req: GroupRequest,
) -> HubResult<GroupView> {
    Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let name = check_tenant_name(&req.name).map_err(|e| HubError::field("name", e))?;
    let members = check_members(state, &req.member_ids).await?;
    let now = state.now();
    let id = Uuid::now_v7();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::GroupChanged,
        &format!("group:{id}"),
        client.addr,
        json!({"name": name, "members": members}),
    ));
    state
        .store
        .create_group(id, &name, &members, now, fx)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate { .. } => HubError::Conflict {
                code: "duplicate",
                message: "`name` is already taken by another group".into(),
                current: None,
            },
            other => other.into(),
        })
}

/// Replaces a group's members (managers).
pub async fn set_group_members(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: GroupRequest,
) -> HubResult<GroupView> {
    Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let members = check_members(state, &req.member_ids).await?;
    let fx = Effects::audit(audit(
        state.now(),
        &caller.actor(),
        AuditAction::GroupChanged,
        &format!("group:{id}"),
        client.addr,
        json!({"members": members}),
    ));
    match state.store.set_group_members(id, &members, fx).await {
        Err(StoreError::NotFound) => Err(HubError::NotFound("group")),
        other => Ok(other?),
    }
}

/// Staff a ticket can be given to: active agents and above (needs `tickets.assign`).
pub async fn assignees(state: &AppState, caller: &Caller) -> HubResult<Vec<Assignee>> {
    Granted::<cap::TicketsAssign>::check(caller.staff.role)?;
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let rows = state
            .store
            .list_staff(&StaffFilter {
                role: None,
                status: Some(opsdesk_core::staff::StaffStatus::Active),
                after_username: after.clone(),
                limit: 500,
            })
            .await?;
        let done = rows.len() < 500;
        after = rows.last().map(|s| s.username.clone());
        out.extend(
            rows.into_iter()
                .filter(|s| s.role >= Role::Agent)
                .map(|s| Assignee {
                    id: s.id,
                    display_name: s.display_name,
                    role: s.role,
                }),
        );
        if done {
            break;
        }
    }
    out.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(out)
}

/// The SLA policies, critical first (anyone who reads tickets).
pub async fn sla_policies(state: &AppState, caller: &Caller) -> HubResult<Vec<SlaPolicyView>> {
    Granted::<cap::TicketsRead>::check(caller.staff.role)?;
    Ok(state.store.sla_policies().await?)
}

/// Changes one priority's SLA targets (managers). Tickets pick the new targets up on their
/// next change.
pub async fn update_sla_policy(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    priority: Priority,
    req: SlaPolicyRequest,
) -> HubResult<SlaPolicyView> {
    Granted::<cap::SlaManage>::check(caller.staff.role)?;
    let targets = SlaTargets {
        first_response_minutes: req.first_response_minutes,
        resolution_minutes: req.resolution_minutes,
    }
    .check()
    .map_err(|e| {
        let field = e.split_whitespace().next().unwrap_or("targets").to_owned();
        HubError::field(&field, e.trim_start_matches(&field).trim())
    })?;
    let now = state.now();
    let fx = Effects::audit(audit(
        now,
        &caller.actor(),
        AuditAction::SlaPolicyChanged,
        &format!("sla_policy:{priority}"),
        client.addr,
        json!({"first_response_minutes": targets.first_response_minutes, "resolution_minutes": targets.resolution_minutes}),
    ));
    match state
        .store
        .update_sla_policy(priority, req.version, targets, now, fx)
        .await
    {
        Err(StoreError::VersionConflict) => {
            let current = state
                .store
                .sla_policies()
                .await?
                .into_iter()
                .find(|p| p.priority == priority);
            Err(HubError::Conflict {
                code: "version_conflict",
                message: "this SLA policy changed since you read it; review it and try again"
                    .into(),
                current: current.and_then(|p| serde_json::to_value(p).ok()),
            })
        }
        other => Ok(other?),
    }
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
            Err(HubError::BadRequest { status: 415, .. })
        ));
    }
}

//! Tauri commands: each converts its arguments, calls one `Desk` method, and converts the result
//! or the error (a `UiError`: stable code and a sentence).

use crate::LaunchOptions;
use opsdesk_client::access::TenantScope;
use opsdesk_client::queue::{
    ActionOutcome, OutboxResolution, QueueScreen, SyncStatus, TicketAction, TicketScreen,
};
use opsdesk_client::{AppStatus, Desk, UiError};
use opsdesk_proto::*;
use std::sync::Arc;
use tauri::State;
use uuid::Uuid;

type Shared<'a> = State<'a, Arc<Desk>>;
type Answer<T> = Result<T, UiError>;

fn ui<T>(r: Result<T, opsdesk_client::ClientError>) -> Answer<T> {
    r.map_err(|e| e.to_ui())
}

/// Every command the UI may call.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        launch_options,
        screen_painted,
        app_status,
        check_hub,
        connect_hub,
        start_local_workspace,
        create_first_admin,
        enroll_start,
        enroll_confirm,
        sign_in_password,
        sign_in_mfa,
        restore_session,
        sign_out,
        forget_hub,
        reauthenticate,
        set_idle_lock_minutes,
        me,
        list_staff,
        invite_staff,
        get_staff,
        change_role,
        reset_mfa,
        deactivate,
        capabilities,
        staff_sessions,
        end_staff_sessions,
        my_sessions,
        end_session,
        list_audit,
        verify_audit,
        security_events,
        queue,
        sync_now,
        ticket,
        ticket_act,
        outbox_resolve,
        ticket_presence,
        search_tickets,
        tenants,
        create_ticket,
        save_filter,
        delete_saved_filter,
        assignees,
        groups,
        access_policy,
        access_requests,
        access_request,
        create_access_request,
        review_access_request,
        cancel_access_request,
        export_access_requests,
        grants,
        release_grant,
        revoke_grant,
        clearance,
        record_clearance,
        tenant_scope,
        select_tenant,
        tenant_users,
        tenant_user,
        tenant_user_sign_ins,
        reset_tenant_user_password,
        unlock_tenant_user,
        change_tenant_user_role,
        tenant_settings,
        update_tenant_settings,
        crate::live::live_status,
        crate::live::inbox,
        crate::live::inbox_mark_read,
        crate::live::notification_prefs,
        crate::live::set_notification_prefs,
        crate::live::set_locked,
    ]
}

#[tauri::command(rename_all = "snake_case")]
fn launch_options(launch: State<'_, LaunchOptions>) -> LaunchOptions {
    *launch
}

/// The UI painted `screen` (welcome, setup, signin, desk, ...): logged with the time since the
/// process started, under the `opsdesk::timing` target, for the launch benchmark.
#[tauri::command(rename_all = "snake_case")]
fn screen_painted(screen: String) {
    let ms = crate::STARTED
        .get()
        .map(|t| t.elapsed().as_millis())
        .unwrap_or_default();
    let screen: String = screen
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(20)
        .collect();
    tracing::info!(target: "opsdesk::timing", %screen, ms, "screen painted");
}

#[tauri::command(rename_all = "snake_case")]
async fn app_status(desk: Shared<'_>) -> Answer<AppStatus> {
    Ok(desk.status().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn check_hub(desk: Shared<'_>, url: String) -> Answer<HubInfo> {
    ui(desk.check_hub(&url).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn connect_hub(desk: Shared<'_>, url: String) -> Answer<AppStatus> {
    ui(desk.connect_hub(&url).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn start_local_workspace(desk: Shared<'_>, demo: bool) -> Answer<AppStatus> {
    ui(desk.start_local_workspace(demo).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn create_first_admin(
    desk: Shared<'_>,
    username: String,
    display_name: String,
    email: String,
) -> Answer<String> {
    ui(desk
        .create_first_admin(&username, &display_name, &email)
        .await)
}

#[tauri::command(rename_all = "snake_case")]
async fn enroll_start(
    desk: Shared<'_>,
    invite_token: String,
    password: String,
) -> Answer<EnrollmentOffer> {
    ui(desk.enroll_start(&invite_token, &password).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn enroll_confirm(desk: Shared<'_>, invite_token: String, code: String) -> Answer<Enrolled> {
    ui(desk.enroll_confirm(&invite_token, &code).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_in_password(
    desk: Shared<'_>,
    username: String,
    password: String,
) -> Answer<LoginChallenge> {
    ui(desk.sign_in_password(&username, &password).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_in_mfa(
    desk: Shared<'_>,
    challenge: String,
    code: Option<String>,
    recovery_code: Option<String>,
) -> Answer<Me> {
    ui(desk
        .sign_in_mfa(&challenge, code.as_deref(), recovery_code.as_deref())
        .await)
}

#[tauri::command(rename_all = "snake_case")]
async fn restore_session(desk: Shared<'_>) -> Answer<Option<Me>> {
    ui(desk.restore_session().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_out(desk: Shared<'_>) -> Answer<()> {
    ui(desk.sign_out().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn forget_hub(desk: Shared<'_>) -> Answer<AppStatus> {
    ui(desk.forget_hub().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn reauthenticate(desk: Shared<'_>, code: String) -> Answer<()> {
    ui(desk.reauthenticate(&code).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn set_idle_lock_minutes(desk: Shared<'_>, minutes: u32) -> Answer<AppStatus> {
    ui(desk.set_idle_lock_minutes(minutes).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn me(desk: Shared<'_>) -> Answer<Me> {
    ui(desk.me().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn list_staff(desk: Shared<'_>, query: StaffQuery) -> Answer<Page<StaffView>> {
    ui(desk.list_staff(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn invite_staff(desk: Shared<'_>, request: InviteStaffRequest) -> Answer<InviteIssued> {
    ui(desk.invite_staff(request).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn get_staff(desk: Shared<'_>, id: Uuid) -> Answer<StaffView> {
    ui(desk.get_staff(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn change_role(desk: Shared<'_>, id: Uuid, request: ChangeRoleRequest) -> Answer<StaffView> {
    ui(desk.change_role(id, request).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn reset_mfa(desk: Shared<'_>, id: Uuid, version: i64) -> Answer<InviteIssued> {
    ui(desk.reset_mfa(id, version).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn deactivate(desk: Shared<'_>, id: Uuid, version: i64) -> Answer<StaffView> {
    ui(desk.deactivate(id, version).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn capabilities(desk: Shared<'_>, id: Uuid) -> Answer<Capabilities> {
    ui(desk.capabilities(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn staff_sessions(desk: Shared<'_>, id: Uuid) -> Answer<Page<SessionView>> {
    ui(desk.staff_sessions(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn end_staff_sessions(desk: Shared<'_>, id: Uuid) -> Answer<SessionsEnded> {
    ui(desk.end_staff_sessions(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn my_sessions(desk: Shared<'_>) -> Answer<Page<SessionView>> {
    ui(desk.my_sessions().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn end_session(desk: Shared<'_>, id: Uuid) -> Answer<()> {
    ui(desk.end_session(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn list_audit(desk: Shared<'_>, query: AuditQuery) -> Answer<Page<AuditEntry>> {
    ui(desk.list_audit(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn verify_audit(desk: Shared<'_>) -> Answer<AuditVerification> {
    ui(desk.verify_audit().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn security_events(
    desk: Shared<'_>,
    query: SecurityEventQuery,
) -> Answer<Page<SecurityEvent>> {
    ui(desk.security_events(query).await)
}

/// A queue page from the local cache (instant); `sync.stale` says whether it may be behind.
#[tauri::command(rename_all = "snake_case")]
async fn queue(desk: Shared<'_>, query: QueueQuery) -> Answer<QueueScreen> {
    ui(desk.queue(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn sync_now(desk: Shared<'_>) -> Answer<SyncStatus> {
    ui(desk.sync_now().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn ticket(desk: Shared<'_>, id: Uuid) -> Answer<TicketScreen> {
    ui(desk.ticket(id).await)
}

/// When `queued` is set, the write waits in the outbox (offline) or is in conflict or refused.
#[tauri::command(rename_all = "snake_case")]
async fn ticket_act(
    desk: Shared<'_>,
    id: Uuid,
    version: i64,
    action: TicketAction,
) -> Answer<ActionOutcome> {
    ui(desk.ticket_act(id, version, action).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn outbox_resolve(
    desk: Shared<'_>,
    id: i64,
    resolution: OutboxResolution,
) -> Answer<SyncStatus> {
    ui(desk.outbox_resolve(id, resolution).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn ticket_presence(
    desk: Shared<'_>,
    id: Uuid,
    mode: PresenceMode,
) -> Answer<Vec<PresenceView>> {
    ui(desk.ticket_presence(id, mode).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn search_tickets(desk: Shared<'_>, q: String) -> Answer<Vec<SearchHit>> {
    ui(desk.search_tickets(&q).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn tenants(desk: Shared<'_>, q: String) -> Answer<Vec<TenantView>> {
    ui(desk.tenants(&q).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn create_ticket(desk: Shared<'_>, request: CreateTicketRequest) -> Answer<TicketSummary> {
    ui(desk.create_ticket(request).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn save_filter(desk: Shared<'_>, request: SaveFilterRequest) -> Answer<SavedFilterView> {
    ui(desk.save_filter(request).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn delete_saved_filter(desk: Shared<'_>, id: Uuid) -> Answer<()> {
    ui(desk.delete_saved_filter(id).await)
}

/// Needs tickets.assign (senior agent and up).
#[tauri::command(rename_all = "snake_case")]
async fn assignees(desk: Shared<'_>) -> Answer<Vec<Assignee>> {
    ui(desk.assignees().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn groups(desk: Shared<'_>) -> Answer<Vec<GroupView>> {
    ui(desk.groups().await)
}

// ---- cross-tenant access ------------------------------------------------------------------------

#[tauri::command(rename_all = "snake_case")]
async fn access_policy(desk: Shared<'_>) -> Answer<AccessPolicyView> {
    ui(desk.access_policy().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn access_requests(
    desk: Shared<'_>,
    query: AccessRequestQuery,
) -> Answer<Page<AccessRequestView>> {
    ui(desk.access_requests(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn access_request(desk: Shared<'_>, id: Uuid) -> Answer<AccessRequestView> {
    ui(desk.access_request(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn create_access_request(
    desk: Shared<'_>,
    request: CreateAccessRequest,
) -> Answer<AccessRequestView> {
    ui(desk.create_access_request(request).await)
}

/// Denying needs a comment.
#[tauri::command(rename_all = "snake_case")]
async fn review_access_request(
    desk: Shared<'_>,
    id: Uuid,
    review: ReviewAccessRequest,
) -> Answer<AccessRequestView> {
    ui(desk.review_access_request(id, review).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn cancel_access_request(
    desk: Shared<'_>,
    id: Uuid,
    version: i64,
) -> Answer<AccessRequestView> {
    ui(desk.cancel_access_request(id, version).await)
}

/// JSON Lines or CSV text of the decided requests (auditors).
#[tauri::command(rename_all = "snake_case")]
async fn export_access_requests(desk: Shared<'_>, query: AccessExportQuery) -> Answer<String> {
    ui(desk.export_access_requests(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn grants(desk: Shared<'_>, query: GrantQuery) -> Answer<Vec<GrantView>> {
    ui(desk.grants(query).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn release_grant(desk: Shared<'_>, id: Uuid) -> Answer<GrantView> {
    ui(desk.release_grant(id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn revoke_grant(desk: Shared<'_>, id: Uuid, reason: String) -> Answer<GrantView> {
    ui(desk.revoke_grant(id, reason).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn clearance(desk: Shared<'_>, staff_id: Uuid) -> Answer<ClearanceView> {
    ui(desk.clearance(staff_id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn record_clearance(
    desk: Shared<'_>,
    staff_id: Uuid,
    request: RecordClearanceRequest,
) -> Answer<ClearanceView> {
    ui(desk.record_clearance(staff_id, request).await)
}

/// The header's tenant switcher: my current grants and the tenant in scope (held in
/// memory by the core).
#[tauri::command(rename_all = "snake_case")]
async fn tenant_scope(desk: Shared<'_>) -> Answer<TenantScope> {
    ui(desk.tenant_scope().await)
}

#[tauri::command(rename_all = "snake_case")]
async fn select_tenant(desk: Shared<'_>, tenant_id: Option<Uuid>) -> Answer<TenantScope> {
    ui(desk.select_tenant(tenant_id).await)
}

// ---- tenant data (the tenant in scope, under a grant) -------------------------------------------

#[tauri::command(rename_all = "snake_case")]
async fn tenant_users(
    desk: Shared<'_>,
    tenant_id: Uuid,
    query: TenantUserQuery,
) -> Answer<Page<TenantUserView>> {
    ui(desk.tenant_users(tenant_id, query).await)
}

/// One user of the tenant in scope, under a grant.
#[tauri::command(rename_all = "snake_case")]
async fn tenant_user(desk: Shared<'_>, tenant_id: Uuid, user_id: Uuid) -> Answer<TenantUserView> {
    ui(desk.tenant_user(tenant_id, user_id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn tenant_user_sign_ins(
    desk: Shared<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Answer<Vec<TenantSignInView>> {
    ui(desk.tenant_user_sign_ins(tenant_id, user_id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn reset_tenant_user_password(
    desk: Shared<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Answer<PasswordResetIssued> {
    ui(desk.reset_tenant_user_password(tenant_id, user_id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn unlock_tenant_user(
    desk: Shared<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
    version: i64,
) -> Answer<TenantUserView> {
    ui(desk.unlock_tenant_user(tenant_id, user_id, version).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn change_tenant_user_role(
    desk: Shared<'_>,
    tenant_id: Uuid,
    user_id: Uuid,
    request: ChangeTenantUserRole,
) -> Answer<TenantUserView> {
    ui(desk
        .change_tenant_user_role(tenant_id, user_id, request)
        .await)
}

#[tauri::command(rename_all = "snake_case")]
async fn tenant_settings(desk: Shared<'_>, tenant_id: Uuid) -> Answer<TenantSettingsView> {
    ui(desk.tenant_settings(tenant_id).await)
}

#[tauri::command(rename_all = "snake_case")]
async fn update_tenant_settings(
    desk: Shared<'_>,
    tenant_id: Uuid,
    request: UpdateTenantSettings,
) -> Answer<TenantSettingsView> {
    ui(desk.update_tenant_settings(tenant_id, request).await)
}

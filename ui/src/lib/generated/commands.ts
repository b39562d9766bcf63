// Generated from the #[tauri::command] functions in src-tauri/src by
// src-tauri/tests/commands_ts.rs. Do not edit: change the command, then run
// `OPSDESK_WRITE_GENERATED=1 cargo test -p opsdesk-desktop --test commands_ts`.
import type { AccessExportQuery } from "./AccessExportQuery";
import type { AccessPolicyView } from "./AccessPolicyView";
import type { AccessRequestQuery } from "./AccessRequestQuery";
import type { AccessRequestView } from "./AccessRequestView";
import type { ActionOutcome } from "./ActionOutcome";
import type { AppStatus } from "./AppStatus";
import type { Assignee } from "./Assignee";
import type { AuditEntry } from "./AuditEntry";
import type { AuditQuery } from "./AuditQuery";
import type { AuditVerification } from "./AuditVerification";
import type { Capabilities } from "./Capabilities";
import type { ChangeRoleRequest } from "./ChangeRoleRequest";
import type { ChangeTenantUserRole } from "./ChangeTenantUserRole";
import type { ClearanceView } from "./ClearanceView";
import type { CreateAccessRequest } from "./CreateAccessRequest";
import type { CreateTicketRequest } from "./CreateTicketRequest";
import type { Enrolled } from "./Enrolled";
import type { EnrollmentOffer } from "./EnrollmentOffer";
import type { GrantQuery } from "./GrantQuery";
import type { GrantView } from "./GrantView";
import type { GroupView } from "./GroupView";
import type { HubInfo } from "./HubInfo";
import type { InboxPage } from "./InboxPage";
import type { InviteIssued } from "./InviteIssued";
import type { InviteStaffRequest } from "./InviteStaffRequest";
import type { LaunchOptions } from "./LaunchOptions";
import type { LiveStatus } from "./LiveStatus";
import type { LoginChallenge } from "./LoginChallenge";
import type { Me } from "./Me";
import type { NotificationPrefs } from "./NotificationPrefs";
import type { OutboxResolution } from "./OutboxResolution";
import type { Page } from "./Page";
import type { PasswordResetIssued } from "./PasswordResetIssued";
import type { PresenceMode } from "./PresenceMode";
import type { PresenceView } from "./PresenceView";
import type { QueueQuery } from "./QueueQuery";
import type { QueueScreen } from "./QueueScreen";
import type { RecordClearanceRequest } from "./RecordClearanceRequest";
import type { ReviewAccessRequest } from "./ReviewAccessRequest";
import type { SaveFilterRequest } from "./SaveFilterRequest";
import type { SavedFilterView } from "./SavedFilterView";
import type { SearchHit } from "./SearchHit";
import type { SecurityEvent } from "./SecurityEvent";
import type { SecurityEventQuery } from "./SecurityEventQuery";
import type { SessionView } from "./SessionView";
import type { SessionsEnded } from "./SessionsEnded";
import type { StaffQuery } from "./StaffQuery";
import type { StaffView } from "./StaffView";
import type { SyncStatus } from "./SyncStatus";
import type { TenantScope } from "./TenantScope";
import type { TenantSettingsView } from "./TenantSettingsView";
import type { TenantSignInView } from "./TenantSignInView";
import type { TenantUserQuery } from "./TenantUserQuery";
import type { TenantUserView } from "./TenantUserView";
import type { TenantView } from "./TenantView";
import type { TicketAction } from "./TicketAction";
import type { TicketScreen } from "./TicketScreen";
import type { TicketSummary } from "./TicketSummary";
import type { UpdateTenantSettings } from "./UpdateTenantSettings";

/** Calls one shell command by name with its arguments (`invoke`, or a wrapper of it). */
export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** One typed function per shell command, in the order the shell registers them. */
export function commands(invoke: Invoke) {
  return {
    launchOptions: (): Promise<LaunchOptions> => invoke<LaunchOptions>("launch_options"),
    /**
     * The UI painted `screen` (welcome, setup, signin, desk, ...): logged with the time since the
     * process started, under the `opsdesk::timing` target, for the launch benchmark.
     */
    screenPainted: (screen: string): Promise<void> => invoke<void>("screen_painted", { screen }),
    appStatus: (): Promise<AppStatus> => invoke<AppStatus>("app_status"),
    checkHub: (url: string): Promise<HubInfo> => invoke<HubInfo>("check_hub", { url }),
    connectHub: (url: string): Promise<AppStatus> => invoke<AppStatus>("connect_hub", { url }),
    startLocalWorkspace: (demo: boolean): Promise<AppStatus> => invoke<AppStatus>("start_local_workspace", { demo }),
    createFirstAdmin: (username: string, display_name: string, email: string): Promise<string> => invoke<string>("create_first_admin", { username, display_name, email }),
    enrollStart: (invite_token: string, password: string): Promise<EnrollmentOffer> => invoke<EnrollmentOffer>("enroll_start", { invite_token, password }),
    enrollConfirm: (invite_token: string, code: string): Promise<Enrolled> => invoke<Enrolled>("enroll_confirm", { invite_token, code }),
    signInPassword: (username: string, password: string): Promise<LoginChallenge> => invoke<LoginChallenge>("sign_in_password", { username, password }),
    signInMfa: (challenge: string, code: string | null, recovery_code: string | null): Promise<Me> => invoke<Me>("sign_in_mfa", { challenge, code, recovery_code }),
    restoreSession: (): Promise<Me | null> => invoke<Me | null>("restore_session"),
    signOut: (): Promise<void> => invoke<void>("sign_out"),
    forgetHub: (): Promise<AppStatus> => invoke<AppStatus>("forget_hub"),
    reauthenticate: (code: string): Promise<void> => invoke<void>("reauthenticate", { code }),
    setIdleLockMinutes: (minutes: number): Promise<AppStatus> => invoke<AppStatus>("set_idle_lock_minutes", { minutes }),
    me: (): Promise<Me> => invoke<Me>("me"),
    listStaff: (query: StaffQuery): Promise<Page<StaffView>> => invoke<Page<StaffView>>("list_staff", { query }),
    inviteStaff: (request: InviteStaffRequest): Promise<InviteIssued> => invoke<InviteIssued>("invite_staff", { request }),
    getStaff: (id: string): Promise<StaffView> => invoke<StaffView>("get_staff", { id }),
    changeRole: (id: string, request: ChangeRoleRequest): Promise<StaffView> => invoke<StaffView>("change_role", { id, request }),
    resetMfa: (id: string, version: number): Promise<InviteIssued> => invoke<InviteIssued>("reset_mfa", { id, version }),
    deactivate: (id: string, version: number): Promise<StaffView> => invoke<StaffView>("deactivate", { id, version }),
    capabilities: (id: string): Promise<Capabilities> => invoke<Capabilities>("capabilities", { id }),
    staffSessions: (id: string): Promise<Page<SessionView>> => invoke<Page<SessionView>>("staff_sessions", { id }),
    endStaffSessions: (id: string): Promise<SessionsEnded> => invoke<SessionsEnded>("end_staff_sessions", { id }),
    mySessions: (): Promise<Page<SessionView>> => invoke<Page<SessionView>>("my_sessions"),
    endSession: (id: string): Promise<void> => invoke<void>("end_session", { id }),
    listAudit: (query: AuditQuery): Promise<Page<AuditEntry>> => invoke<Page<AuditEntry>>("list_audit", { query }),
    verifyAudit: (): Promise<AuditVerification> => invoke<AuditVerification>("verify_audit"),
    securityEvents: (query: SecurityEventQuery): Promise<Page<SecurityEvent>> => invoke<Page<SecurityEvent>>("security_events", { query }),
    /** A queue page from the local cache (instant); `sync.stale` says whether it may be behind. */
    queue: (query: QueueQuery): Promise<QueueScreen> => invoke<QueueScreen>("queue", { query }),
    syncNow: (): Promise<SyncStatus> => invoke<SyncStatus>("sync_now"),
    ticket: (id: string): Promise<TicketScreen> => invoke<TicketScreen>("ticket", { id }),
    /** When `queued` is set, the write waits in the outbox (offline) or is in conflict or refused. */
    ticketAct: (id: string, version: number, action: TicketAction): Promise<ActionOutcome> => invoke<ActionOutcome>("ticket_act", { id, version, action }),
    outboxResolve: (id: number, resolution: OutboxResolution): Promise<SyncStatus> => invoke<SyncStatus>("outbox_resolve", { id, resolution }),
    ticketPresence: (id: string, mode: PresenceMode): Promise<Array<PresenceView>> => invoke<Array<PresenceView>>("ticket_presence", { id, mode }),
    searchTickets: (q: string): Promise<Array<SearchHit>> => invoke<Array<SearchHit>>("search_tickets", { q }),
    tenants: (q: string): Promise<Array<TenantView>> => invoke<Array<TenantView>>("tenants", { q }),
    createTicket: (request: CreateTicketRequest): Promise<TicketSummary> => invoke<TicketSummary>("create_ticket", { request }),
    saveFilter: (request: SaveFilterRequest): Promise<SavedFilterView> => invoke<SavedFilterView>("save_filter", { request }),
    deleteSavedFilter: (id: string): Promise<void> => invoke<void>("delete_saved_filter", { id }),
    /** Needs tickets.assign (senior agent and up). */
    assignees: (): Promise<Array<Assignee>> => invoke<Array<Assignee>>("assignees"),
    groups: (): Promise<Array<GroupView>> => invoke<Array<GroupView>>("groups"),
    accessPolicy: (): Promise<AccessPolicyView> => invoke<AccessPolicyView>("access_policy"),
    accessRequests: (query: AccessRequestQuery): Promise<Page<AccessRequestView>> => invoke<Page<AccessRequestView>>("access_requests", { query }),
    accessRequest: (id: string): Promise<AccessRequestView> => invoke<AccessRequestView>("access_request", { id }),
    createAccessRequest: (request: CreateAccessRequest): Promise<AccessRequestView> => invoke<AccessRequestView>("create_access_request", { request }),
    /** Denying needs a comment. */
    reviewAccessRequest: (id: string, review: ReviewAccessRequest): Promise<AccessRequestView> => invoke<AccessRequestView>("review_access_request", { id, review }),
    cancelAccessRequest: (id: string, version: number): Promise<AccessRequestView> => invoke<AccessRequestView>("cancel_access_request", { id, version }),
    /** JSON Lines or CSV text of the decided requests (auditors). */
    exportAccessRequests: (query: AccessExportQuery): Promise<string> => invoke<string>("export_access_requests", { query }),
    grants: (query: GrantQuery): Promise<Array<GrantView>> => invoke<Array<GrantView>>("grants", { query }),
    releaseGrant: (id: string): Promise<GrantView> => invoke<GrantView>("release_grant", { id }),
    revokeGrant: (id: string, reason: string): Promise<GrantView> => invoke<GrantView>("revoke_grant", { id, reason }),
    clearance: (staff_id: string): Promise<ClearanceView> => invoke<ClearanceView>("clearance", { staff_id }),
    recordClearance: (staff_id: string, request: RecordClearanceRequest): Promise<ClearanceView> => invoke<ClearanceView>("record_clearance", { staff_id, request }),
    /**
     * The header's tenant switcher: my current grants and the tenant in scope (held in
     * memory by the core).
     */
    tenantScope: (): Promise<TenantScope> => invoke<TenantScope>("tenant_scope"),
    selectTenant: (tenant_id: string | null): Promise<TenantScope> => invoke<TenantScope>("select_tenant", { tenant_id }),
    tenantUsers: (tenant_id: string, query: TenantUserQuery): Promise<Page<TenantUserView>> => invoke<Page<TenantUserView>>("tenant_users", { tenant_id, query }),
    /** One user of the tenant in scope, under a grant. */
    tenantUser: (tenant_id: string, user_id: string): Promise<TenantUserView> => invoke<TenantUserView>("tenant_user", { tenant_id, user_id }),
    tenantUserSignIns: (tenant_id: string, user_id: string): Promise<Array<TenantSignInView>> => invoke<Array<TenantSignInView>>("tenant_user_sign_ins", { tenant_id, user_id }),
    resetTenantUserPassword: (tenant_id: string, user_id: string): Promise<PasswordResetIssued> => invoke<PasswordResetIssued>("reset_tenant_user_password", { tenant_id, user_id }),
    unlockTenantUser: (tenant_id: string, user_id: string, version: number): Promise<TenantUserView> => invoke<TenantUserView>("unlock_tenant_user", { tenant_id, user_id, version }),
    changeTenantUserRole: (tenant_id: string, user_id: string, request: ChangeTenantUserRole): Promise<TenantUserView> => invoke<TenantUserView>("change_tenant_user_role", { tenant_id, user_id, request }),
    tenantSettings: (tenant_id: string): Promise<TenantSettingsView> => invoke<TenantSettingsView>("tenant_settings", { tenant_id }),
    updateTenantSettings: (tenant_id: string, request: UpdateTenantSettings): Promise<TenantSettingsView> => invoke<TenantSettingsView>("update_tenant_settings", { tenant_id, request }),
    liveStatus: (): Promise<LiveStatus> => invoke<LiveStatus>("live_status"),
    /** Newest first; every notification meant for me, popped up or not. */
    inbox: (unread_only: boolean): Promise<InboxPage> => invoke<InboxPage>("inbox", { unread_only }),
    /** `None` (`null`) marks every notification read; answers the unread count. */
    inboxMarkRead: (ids: Array<number> | null): Promise<number> => invoke<number>("inbox_mark_read", { ids }),
    notificationPrefs: (): Promise<NotificationPrefs> => invoke<NotificationPrefs>("notification_prefs"),
    setNotificationPrefs: (prefs: NotificationPrefs): Promise<NotificationPrefs> => invoke<NotificationPrefs>("set_notification_prefs", { prefs }),
    /** The idle lock: the event stream stops while locked and catches up when unlocked. */
    setLocked: (locked: boolean): Promise<void> => invoke<void>("set_locked", { locked }),
  };
}

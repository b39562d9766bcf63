// The one typed module that talks to the shell. Components never call `invoke` themselves.
import { invoke } from "@tauri-apps/api/core";
import type { AccessExportQuery } from "./generated/AccessExportQuery";
import type { AccessPolicyView } from "./generated/AccessPolicyView";
import type { AccessRequestQuery } from "./generated/AccessRequestQuery";
import type { AccessRequestView } from "./generated/AccessRequestView";
import type { ActionOutcome } from "./generated/ActionOutcome";
import type { AppStatus } from "./generated/AppStatus";
import type { Assignee } from "./generated/Assignee";
import type { AuditEntry } from "./generated/AuditEntry";
import type { AuditQuery } from "./generated/AuditQuery";
import type { AuditVerification } from "./generated/AuditVerification";
import type { Capabilities } from "./generated/Capabilities";
import type { ChangeRoleRequest } from "./generated/ChangeRoleRequest";
import type { ChangeTenantUserRole } from "./generated/ChangeTenantUserRole";
import type { ClearanceView } from "./generated/ClearanceView";
import type { CreateAccessRequest } from "./generated/CreateAccessRequest";
import type { CreateTicketRequest } from "./generated/CreateTicketRequest";
import type { Enrolled } from "./generated/Enrolled";
import type { EnrollmentOffer } from "./generated/EnrollmentOffer";
import type { GrantQuery } from "./generated/GrantQuery";
import type { GrantView } from "./generated/GrantView";
import type { GroupView } from "./generated/GroupView";
import type { HubInfo } from "./generated/HubInfo";
import type { InboxPage } from "./generated/InboxPage";
import type { InviteIssued } from "./generated/InviteIssued";
import type { InviteStaffRequest } from "./generated/InviteStaffRequest";
import type { LaunchOptions } from "./generated/LaunchOptions";
import type { LiveStatus } from "./generated/LiveStatus";
import type { LoginChallenge } from "./generated/LoginChallenge";
import type { Me } from "./generated/Me";
import type { NotificationPrefs } from "./generated/NotificationPrefs";
import type { OutboxResolution } from "./generated/OutboxResolution";
import type { Page } from "./generated/Page";
import type { PasswordResetIssued } from "./generated/PasswordResetIssued";
import type { PresenceMode } from "./generated/PresenceMode";
import type { PresenceView } from "./generated/PresenceView";
import type { QueueQuery } from "./generated/QueueQuery";
import type { QueueScreen } from "./generated/QueueScreen";
import type { RecordClearanceRequest } from "./generated/RecordClearanceRequest";
import type { ReviewAccessRequest } from "./generated/ReviewAccessRequest";
import type { SavedFilterView } from "./generated/SavedFilterView";
import type { SaveFilterRequest } from "./generated/SaveFilterRequest";
import type { SearchHit } from "./generated/SearchHit";
import type { SecurityEvent } from "./generated/SecurityEvent";
import type { SecurityEventQuery } from "./generated/SecurityEventQuery";
import type { SessionsEnded } from "./generated/SessionsEnded";
import type { SessionView } from "./generated/SessionView";
import type { StaffQuery } from "./generated/StaffQuery";
import type { StaffView } from "./generated/StaffView";
import type { SyncStatus } from "./generated/SyncStatus";
import type { TenantScope } from "./generated/TenantScope";
import type { TenantSettingsView } from "./generated/TenantSettingsView";
import type { TenantSignInView } from "./generated/TenantSignInView";
import type { TenantUserQuery } from "./generated/TenantUserQuery";
import type { TenantUserRole } from "./generated/TenantUserRole";
import type { TenantUserView } from "./generated/TenantUserView";
import type { TenantView } from "./generated/TenantView";
import type { TicketAction } from "./generated/TicketAction";
import type { TicketScreen } from "./generated/TicketScreen";
import type { TicketSummary } from "./generated/TicketSummary";
import type { UiError } from "./generated/UiError";
import type { UpdateTenantSettings } from "./generated/UpdateTenantSettings";

export type { UiError };

/** Calls a shell command; a failure arrives as a `UiError` (code and sentence). */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asUiError(e);
  }
}

/** Whatever was thrown, as a `UiError` the UI can show. */
export function asUiError(e: unknown): UiError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    return e as UiError;
  }
  return { code: "app_error", message: String(e), field: null, retry_at: null };
}

export const api = {
  launchOptions: () => call<LaunchOptions>("launch_options"),
  screenPainted: (screen: string) => call<void>("screen_painted", { screen }),
  status: () => call<AppStatus>("app_status"),
  checkHub: (url: string) => call<HubInfo>("check_hub", { url }),
  connectHub: (url: string) => call<AppStatus>("connect_hub", { url }),
  startLocalWorkspace: (demo: boolean) => call<AppStatus>("start_local_workspace", { demo }),
  createFirstAdmin: (username: string, display_name: string, email: string) =>
    call<string>("create_first_admin", { username, display_name, email }),
  enrollStart: (invite_token: string, password: string) =>
    call<EnrollmentOffer>("enroll_start", { invite_token, password }),
  enrollConfirm: (invite_token: string, code: string) =>
    call<Enrolled>("enroll_confirm", { invite_token, code }),
  signInPassword: (username: string, password: string) =>
    call<LoginChallenge>("sign_in_password", { username, password }),
  signInMfa: (challenge: string, code: string | null, recovery_code: string | null) =>
    call<Me>("sign_in_mfa", { challenge, code, recovery_code }),
  restoreSession: () => call<Me | null>("restore_session"),
  signOut: () => call<void>("sign_out"),
  forgetHub: () => call<AppStatus>("forget_hub"),
  reauthenticate: (code: string) => call<void>("reauthenticate", { code }),
  setIdleLockMinutes: (minutes: number) => call<AppStatus>("set_idle_lock_minutes", { minutes }),
  me: () => call<Me>("me"),
  listStaff: (query: StaffQuery) => call<Page<StaffView>>("list_staff", { query }),
  inviteStaff: (request: InviteStaffRequest) => call<InviteIssued>("invite_staff", { request }),
  getStaff: (id: string) => call<StaffView>("get_staff", { id }),
  changeRole: (id: string, request: ChangeRoleRequest) =>
    call<StaffView>("change_role", { id, request }),
  resetMfa: (id: string, version: number) => call<InviteIssued>("reset_mfa", { id, version }),
  deactivate: (id: string, version: number) => call<StaffView>("deactivate", { id, version }),
  capabilities: (id: string) => call<Capabilities>("capabilities", { id }),
  staffSessions: (id: string) => call<Page<SessionView>>("staff_sessions", { id }),
  endStaffSessions: (id: string) => call<SessionsEnded>("end_staff_sessions", { id }),
  mySessions: () => call<Page<SessionView>>("my_sessions"),
  endSession: (id: string) => call<void>("end_session", { id }),
  listAudit: (query: AuditQuery) => call<Page<AuditEntry>>("list_audit", { query }),
  verifyAudit: () => call<AuditVerification>("verify_audit"),
  securityEvents: (query: SecurityEventQuery) =>
    call<Page<SecurityEvent>>("security_events", { query }),
  /** A queue page from the local cache (instant); `sync.stale` says whether it may be behind. */
  queue: (query: QueueQuery) => call<QueueScreen>("queue", { query }),
  syncNow: () => call<SyncStatus>("sync_now"),
  ticket: (id: string) => call<TicketScreen>("ticket", { id }),
  /** When `queued` is set, the write waits in the outbox (offline) or is in conflict or refused. */
  ticketAct: (id: string, version: number, action: TicketAction) =>
    call<ActionOutcome>("ticket_act", { id, version, action }),
  outboxResolve: (id: number, resolution: OutboxResolution) =>
    call<SyncStatus>("outbox_resolve", { id, resolution }),
  ticketPresence: (id: string, mode: PresenceMode) =>
    call<PresenceView[]>("ticket_presence", { id, mode }),
  searchTickets: (q: string) => call<SearchHit[]>("search_tickets", { q }),
  tenants: (q: string) => call<TenantView[]>("tenants", { q }),
  createTicket: (request: CreateTicketRequest) => call<TicketSummary>("create_ticket", { request }),
  saveFilter: (request: SaveFilterRequest) => call<SavedFilterView>("save_filter", { request }),
  deleteSavedFilter: (id: string) => call<void>("delete_saved_filter", { id }),
  /** Needs tickets.assign (senior agent and up). */
  assignees: () => call<Assignee[]>("assignees"),
  groups: () => call<GroupView[]>("groups"),

  // ---- cross-tenant access ----
  accessPolicy: () => call<AccessPolicyView>("access_policy"),
  accessRequests: (query: AccessRequestQuery) => call<Page<AccessRequestView>>("access_requests", { query }),
  accessRequest: (id: string) => call<AccessRequestView>("access_request", { id }),
  createAccessRequest: (request: CreateAccessRequest) => call<AccessRequestView>("create_access_request", { request }),
  /** Denying needs a comment. */
  reviewAccessRequest: (id: string, approve: boolean, comment: string | null, version: number) =>
    call<AccessRequestView>("review_access_request", { id, review: { approve, comment, version } satisfies ReviewAccessRequest }),
  cancelAccessRequest: (id: string, version: number) => call<AccessRequestView>("cancel_access_request", { id, version }),
  /** JSON Lines or CSV text of the decided requests (auditors). */
  exportAccessRequests: (query: AccessExportQuery) => call<string>("export_access_requests", { query }),
  grants: (query: GrantQuery) => call<GrantView[]>("grants", { query }),
  releaseGrant: (id: string) => call<GrantView>("release_grant", { id }),
  revokeGrant: (id: string, reason: string) => call<GrantView>("revoke_grant", { id, reason }),
  clearance: (staff_id: string) => call<ClearanceView>("clearance", { staff_id }),
  recordClearance: (staff_id: string, request: RecordClearanceRequest) => call<ClearanceView>("record_clearance", { staff_id, request }),
  /** The header's tenant switcher: my current grants and the tenant in scope (held in memory by the core). */
  tenantScope: () => call<TenantScope>("tenant_scope"),
  selectTenant: (tenant_id: string | null) => call<TenantScope>("select_tenant", { tenant_id }),

  // ---- tenant data (the tenant in scope, under a grant; never cached) ----
  tenantUsers: (tenant_id: string, query: TenantUserQuery) => call<Page<TenantUserView>>("tenant_users", { tenant_id, query }),
  tenantUserSignIns: (tenant_id: string, user_id: string) => call<TenantSignInView[]>("tenant_user_sign_ins", { tenant_id, user_id }),
  resetTenantUserPassword: (tenant_id: string, user_id: string) => call<PasswordResetIssued>("reset_tenant_user_password", { tenant_id, user_id }),
  unlockTenantUser: (tenant_id: string, user_id: string, version: number) => call<TenantUserView>("unlock_tenant_user", { tenant_id, user_id, version }),
  changeTenantUserRole: (tenant_id: string, user_id: string, role: TenantUserRole, version: number) =>
    call<TenantUserView>("change_tenant_user_role", { tenant_id, user_id, request: { role, version } satisfies ChangeTenantUserRole }),
  tenantSettings: (tenant_id: string) => call<TenantSettingsView>("tenant_settings", { tenant_id }),
  updateTenantSettings: (tenant_id: string, request: UpdateTenantSettings) => call<TenantSettingsView>("update_tenant_settings", { tenant_id, request }),

  // ---- live events: the inbox, notification settings, the idle lock (events: lib/live.ts) ----
  liveStatus: () => call<LiveStatus>("live_status"),
  /** Newest first; every notification meant for me, popped up or not. */
  inbox: (unread_only: boolean) => call<InboxPage>("inbox", { unread_only }),
  /** `null` marks every notification read; answers the unread count. */
  inboxMarkRead: (ids: number[] | null) => call<number>("inbox_mark_read", { ids }),
  notificationPrefs: () => call<NotificationPrefs>("notification_prefs"),
  setNotificationPrefs: (prefs: NotificationPrefs) => call<NotificationPrefs>("set_notification_prefs", { prefs }),
  /** The idle lock: the event stream stops while locked and catches up when unlocked. */
  setLocked: (locked: boolean) => call<void>("set_locked", { locked }),
};

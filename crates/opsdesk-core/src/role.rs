//! The seven staff tiers and the permission matrix the hub enforces and the app mirrors.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A staff member's role. Tiers are ordered: a higher tier can do everything a lower one can.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    ts_rs::TS,
)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Agent,
    SeniorAgent,
    Engineer,
    Manager,
    SecurityOfficer,
    Admin,
}

impl Role {
    /// Every role, lowest tier first.
    pub const ALL: [Role; 7] = [
        Role::Viewer,
        Role::Agent,
        Role::SeniorAgent,
        Role::Engineer,
        Role::Manager,
        Role::SecurityOfficer,
        Role::Admin,
    ];

    /// The tier number, 1 (viewer) to 7 (admin).
    pub fn tier(self) -> u8 {
        match self {
            Role::Viewer => 1,
            Role::Agent => 2,
            Role::SeniorAgent => 3,
            Role::Engineer => 4,
            Role::Manager => 5,
            Role::SecurityOfficer => 6,
            Role::Admin => 7,
        }
    }

    /// The stable name used on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Agent => "agent",
            Role::SeniorAgent => "senior_agent",
            Role::Engineer => "engineer",
            Role::Manager => "manager",
            Role::SecurityOfficer => "security_officer",
            Role::Admin => "admin",
        }
    }

    /// Whether this role holds `permission` (its own tier's or any lower tier's).
    pub fn has(self, permission: Permission) -> bool {
        self.tier() >= permission.min_role().tier()
    }

    /// Every permission this role holds, in matrix order.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.has(*p))
            .collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given is not one of the seven roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role; expected one of viewer, agent, senior_agent, engineer, manager, security_officer, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

macro_rules! permissions {
    ($( $variant:ident => $name:literal, $role:ident, $doc:literal; )*) => {
        /// Something a staff member may do. Each permission belongs to the lowest tier that holds it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        #[ts(export)]
        pub enum Permission {
            $( #[doc = $doc] #[serde(rename = $name)] $variant, )*
        }

        impl Permission {
            /// Every permission, in matrix order (lowest tier first).
            pub const ALL: &'static [Permission] = &[ $( Permission::$variant, )* ];

            /// The stable name used on the wire, e.g. `staff.manage`.
            pub fn as_str(self) -> &'static str {
                match self { $( Permission::$variant => $name, )* }
            }

            /// The lowest role that holds this permission.
            pub fn min_role(self) -> Role {
                match self { $( Permission::$variant => Role::$role, )* }
            }

            /// One sentence saying what the permission allows.
            pub fn describe(self) -> &'static str {
                match self { $( Permission::$variant => $doc, )* }
            }
        }
    };
}

permissions! {
    DashboardsRead => "dashboards.read", Viewer, "Read dashboards and reports summaries";
    IncidentsRead => "incidents.read", Viewer, "Read incidents and their timelines";
    StatusRead => "status.read", Viewer, "Read service status";
    TicketsRead => "tickets.read", Viewer, "Read tickets (no tenant data)";
    TicketsWork => "tickets.work", Agent, "Take, reply to, note, and change status and priority of tickets";
    AccessRequestRead => "access.request_read", Agent, "Request read access to a tenant";
    TicketsAssign => "tickets.assign", SeniorAgent, "Assign tickets to others";
    TicketsMerge => "tickets.merge", SeniorAgent, "Merge tickets";
    TicketsBulkEdit => "tickets.bulk_edit", SeniorAgent, "Bulk-edit tickets";
    EscalationsHandle => "escalations.handle", SeniorAgent, "Handle escalated tickets";
    AccessRequestSupport => "access.request_support", SeniorAgent, "Request support access to a tenant (tenant user actions)";
    IncidentsManage => "incidents.manage", Engineer, "Declare and run incidents";
    ServiceChecksManage => "service_checks.manage", Engineer, "Configure service checks and alert routing";
    MaintenanceManage => "maintenance.manage", Engineer, "Plan maintenance windows";
    AccessRequestAdmin => "access.request_admin", Engineer, "Request admin access to a tenant";
    BreakGlass => "access.break_glass", Engineer, "Use break-glass access during an open SEV1";
    AccessReview => "access.review", Manager, "Review access requests";
    StaffRead => "staff.read", Manager, "List staff and what each person can do";
    StaffManage => "staff.manage", Manager, "Invite, change role, reset MFA and deactivate staff up to engineer";
    SlaManage => "sla.manage", Manager, "Manage SLA policies";
    ReportsRead => "reports.read", Manager, "Read daily and weekly reports";
    StatusPagePost => "status_page.post", Manager, "Post to the public status page";
    SecurityEventsRead => "security_events.read", SecurityOfficer, "Read the security event log";
    GrantsRevokeAny => "grants.revoke_any", SecurityOfficer, "Revoke any access grant";
    SessionsRevokeAny => "sessions.revoke_any", SecurityOfficer, "End any staff member's sessions";
    BreachProtocol => "breach.activate", SecurityOfficer, "Activate and lift the breach protocol";
    AuditRead => "audit.read", SecurityOfficer, "Read, verify and export the audit trail";
    StaffManageAny => "staff.manage_any", Admin, "Create and change staff of any tier, including admins and security officers";
    TenantsManage => "tenants.manage", Admin, "Manage the tenants directory";
    SettingsManage => "settings.manage", Admin, "Change system settings";
    OnboardingRecord => "onboarding.record", Admin, "Record onboarding clearance";
}

/// Documented by the wire names (`dashboards.read`), as serde sends them: the derive cannot read
/// the names through the `permissions!` macro.
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("Something a staff member may do, by its stable name"))
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for Permission {
    fn name() -> std::borrow::Cow<'static, str> {
        "Permission".into()
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

//! Proof that a permission check passed. Functions that need a permission take a `Granted<C>`,
//! which only `Granted::check` can make, so forgetting the check does not compile.

use crate::access::{pick_grant, AccessDenied, GrantFacts};
use crate::role::{Permission, Role};
use crate::rules::{AccessScope, RuleViolation};
use chrono::{DateTime, Utc};
use std::marker::PhantomData;
use uuid::Uuid;

/// A capability: a type standing for one permission.
pub trait Capability {
    /// The permission this capability stands for.
    const PERMISSION: Permission;
}

/// Evidence that a role holds capability `C`. Built by [`Granted::check`] for a person, or by
/// [`Granted::system`] for the hub's own jobs and the seed. Store writes that need a staff
/// permission take one, so a write whose check was forgotten does not compile.
#[derive(Debug)]
pub struct Granted<C: Capability> {
    role: Role,
    _capability: PhantomData<fn() -> C>,
}

impl<C: Capability> Granted<C> {
    /// Checks that `role` holds `C`'s permission and returns the proof.
    pub fn check(role: Role) -> Result<Self, RuleViolation> {
        if role.has(C::PERMISSION) {
            Ok(Granted {
                role,
                _capability: PhantomData,
            })
        } else {
            Err(RuleViolation::MissingPermission(C::PERMISSION))
        }
    }

    /// The proof for the hub acting as itself: background jobs (SLA, access expiry) and the
    /// `seed` command, never a request. It stands for the admin role, which holds every
    /// permission; grep for `Granted::system` to see every write made without a person's check.
    pub const fn system() -> Self {
        Granted {
            role: Role::Admin,
            _capability: PhantomData,
        }
    }

    /// The role the proof was issued to.
    pub fn role(&self) -> Role {
        self.role
    }
}

macro_rules! capabilities {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("Capability for [`Permission::", stringify!($name), "`].")]
            #[derive(Debug)]
            pub struct $name;
            impl Capability for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*
    };
}

/// Capability marker types, one per permission the hub checks today.
pub mod cap {
    use super::{Capability, Permission};
    capabilities!(
        StaffRead,
        StaffManage,
        SecurityEventsRead,
        SessionsRevokeAny,
        AuditRead,
        TicketsRead,
        TicketsWork,
        TicketsAssign,
        TicketsMerge,
        TicketsBulkEdit,
        EscalationsHandle,
        SlaManage,
        TenantsManage,
        SettingsManage,
        AccessReview,
        GrantsRevokeAny,
        OnboardingRecord
    );
}

mod sealed {
    pub trait Sealed {}
}

impl Granted<cap::TicketsWork> {
    /// For tickets the platform opens through a request the hub authenticated with an
    /// integration token (no staff member, so no role to check); it stands for the agent role,
    /// the least that holds `tickets.work`.
    pub fn from_platform() -> Self {
        Granted {
            role: Role::Agent,
            _capability: PhantomData,
        }
    }
}

/// A proof that allows writing tickets (their state, messages and history): working them, or
/// one of the wider ticket permissions (assign, merge, bulk edit, escalation handling), each of
/// which the hub checks for its action. Sealed: only these `Granted` types are one.
pub trait TicketWriteProof: sealed::Sealed + Send + Sync + std::fmt::Debug {
    /// The permission that was checked.
    fn permission(&self) -> Permission;
}

macro_rules! ticket_write_proofs {
    ($($name:ident),*) => {
        $(
            impl sealed::Sealed for Granted<cap::$name> {}
            impl TicketWriteProof for Granted<cap::$name> {
                fn permission(&self) -> Permission {
                    Permission::$name
                }
            }
        )*
    };
}
ticket_write_proofs!(
    TicketsWork,
    TicketsAssign,
    TicketsMerge,
    TicketsBulkEdit,
    EscalationsHandle
);

/// Evidence that a staff member may end something `owner` holds (their sessions, their grant):
/// they are its owner, or they hold `C`, which covers anyone's. Made by [`OwnOrAny::check`] or
/// [`OwnOrAny::any`] for a request, or [`OwnOrAny::system`] for the hub's own jobs.
#[derive(Debug)]
pub struct OwnOrAny<C: Capability> {
    owner: Uuid,
    by_other: bool,
    _capability: PhantomData<fn() -> C>,
}

impl<C: Capability> OwnOrAny<C> {
    /// `actor` (holding `role`) acts on what `owner` holds: their own needs nothing, anyone
    /// else's needs `C`.
    pub fn check(actor: Uuid, role: Role, owner: Uuid) -> Result<Self, RuleViolation> {
        if actor == owner {
            return Ok(OwnOrAny {
                owner,
                by_other: false,
                _capability: PhantomData,
            });
        }
        let granted = Granted::<C>::check(role)?;
        Ok(Self::any(&granted, owner))
    }

    /// A holder of `C` acts on what `owner` holds (their own included).
    pub fn any(_granted: &Granted<C>, owner: Uuid) -> Self {
        OwnOrAny {
            owner,
            by_other: true,
            _capability: PhantomData,
        }
    }

    /// The hub's own jobs (expiry), acting on what `owner` holds; never a request.
    pub fn system(owner: Uuid) -> Self {
        OwnOrAny {
            owner,
            by_other: false,
            _capability: PhantomData,
        }
    }

    /// Whose thing it is.
    pub fn owner(&self) -> Uuid {
        self.owner
    }

    /// Whether someone other than the owner acts (under `C`).
    pub fn by_other(&self) -> bool {
        self.by_other
    }
}

/// The grant scopes as types, for [`TenantAccess`].
pub mod scope {
    use crate::rules::AccessScope;

    /// A scope a tenant-data function needs.
    pub trait Scope {
        const SCOPE: AccessScope;
    }
    /// Reading the tenant's users.
    #[derive(Debug, Clone, Copy)]
    pub struct Read;
    /// Support actions on the tenant's users.
    #[derive(Debug, Clone, Copy)]
    pub struct Support;
    /// The tenant's settings.
    #[derive(Debug, Clone, Copy)]
    pub struct Admin;
    impl Scope for Read {
        const SCOPE: AccessScope = AccessScope::Read;
    }
    impl Scope for Support {
        const SCOPE: AccessScope = AccessScope::Support;
    }
    impl Scope for Admin {
        const SCOPE: AccessScope = AccessScope::Admin;
    }

    /// `Self` opens everything `T` does (admin covers support covers read).
    pub trait Covers<T: Scope>: Scope {}
    impl Covers<Read> for Read {}
    impl Covers<Read> for Support {}
    impl Covers<Support> for Support {}
    impl Covers<Read> for Admin {}
    impl Covers<Support> for Admin {}
    impl Covers<Admin> for Admin {}
}

/// Evidence that a staff member holds an active grant of at least scope `S` for one tenant, at
/// the moment it was checked. Every function that reads or writes tenant data takes one, and
/// only [`TenantAccess::check`] makes one, so tenant data cannot be reached without the check.
/// It is not `Clone`: one proof serves one request.
#[derive(Debug)]
pub struct TenantAccess<S: scope::Scope> {
    staff_id: Uuid,
    tenant_id: Uuid,
    grant_id: Uuid,
    held: AccessScope,
    at: DateTime<Utc>,
    _scope: PhantomData<fn() -> S>,
}

impl<S: scope::Scope> TenantAccess<S> {
    /// Checks that among `grants` (as the store holds them now) `staff_id` has an active grant
    /// for `tenant_id` covering `S`.
    pub fn check(
        grants: &[GrantFacts],
        staff_id: Uuid,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Self, AccessDenied> {
        let grant = pick_grant(grants, staff_id, tenant_id, S::SCOPE, now)?;
        Ok(TenantAccess {
            staff_id,
            tenant_id,
            grant_id: grant.grant_id,
            held: grant.scope,
            at: now,
            _scope: PhantomData,
        })
    }

    /// The grant holder.
    pub fn staff_id(&self) -> Uuid {
        self.staff_id
    }
    /// The tenant whose data this opens.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }
    /// The grant the access happens under (for the audit trail).
    pub fn grant_id(&self) -> Uuid {
        self.grant_id
    }
    /// The same proof for a narrower scope (a support grant reads users too).
    pub fn narrow<T: scope::Scope>(&self) -> TenantAccess<T>
    where
        S: scope::Covers<T>,
    {
        TenantAccess {
            staff_id: self.staff_id,
            tenant_id: self.tenant_id,
            grant_id: self.grant_id,
            held: self.held,
            at: self.at,
            _scope: PhantomData,
        }
    }

    /// When the grant was found active; the store checks it still is, inside the transaction
    /// that touches the data.
    pub fn checked_at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The scope the grant holds (at least `S`).
    pub fn held(&self) -> AccessScope {
        self.held
    }
}

/// Evidence that an admin may load a tenant's user directory (an import from the platform),
/// which is writing tenant data without reading it back.
#[derive(Debug)]
pub struct TenantDataLoad {
    tenant_id: Uuid,
}

impl TenantDataLoad {
    /// Needs the tenants-directory permission.
    pub fn check(_admin: &Granted<cap::TenantsManage>, tenant_id: Uuid) -> Self {
        TenantDataLoad { tenant_id }
    }
    /// For what the platform itself reports about its tenant (sign-ins), through a request the
    /// hub authenticated with an integration token.
    pub fn from_platform(tenant_id: Uuid) -> Self {
        TenantDataLoad { tenant_id }
    }
    /// The tenant being loaded.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_is_issued_only_to_roles_that_hold_the_permission() {
        assert!(Granted::<cap::AuditRead>::check(Role::SecurityOfficer).is_ok());
        assert_eq!(
            Granted::<cap::AuditRead>::check(Role::Manager).unwrap_err(),
            RuleViolation::MissingPermission(Permission::AuditRead)
        );
        let proof = Granted::<cap::StaffManage>::check(Role::Manager).unwrap();
        assert_eq!(proof.role(), Role::Manager);
    }

    #[test]
    fn the_system_proof_stands_for_the_admin_role() {
        let proof = Granted::<cap::TenantsManage>::system();
        assert_eq!(proof.role(), Role::Admin);
        assert!(Role::Admin.has(cap::TenantsManage::PERMISSION));
    }

    #[test]
    fn own_things_need_no_permission_and_others_need_the_capability() {
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        let own = OwnOrAny::<cap::SessionsRevokeAny>::check(me, Role::Agent, me).unwrap();
        assert!(!own.by_other());
        assert_eq!(
            OwnOrAny::<cap::SessionsRevokeAny>::check(me, Role::Agent, other).unwrap_err(),
            RuleViolation::MissingPermission(Permission::SessionsRevokeAny)
        );
        let any =
            OwnOrAny::<cap::SessionsRevokeAny>::check(me, Role::SecurityOfficer, other).unwrap();
        assert!(any.by_other());
        assert_eq!(any.owner(), other);
    }

    #[test]
    fn ticket_write_proofs_name_their_permission() {
        let merge = Granted::<cap::TicketsMerge>::check(Role::SeniorAgent).unwrap();
        let proof: &dyn TicketWriteProof = &merge;
        assert_eq!(proof.permission(), Permission::TicketsMerge);
    }
}

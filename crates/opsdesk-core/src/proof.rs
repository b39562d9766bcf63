//! Proof that a permission check passed. Functions that need a permission take a `Granted<C>`,
//! which only `Granted::check` can make, so forgetting the check does not compile.

use crate::role::{Permission, Role};
use crate::rules::RuleViolation;
use std::marker::PhantomData;

/// A capability: a type standing for one permission.
pub trait Capability {
    /// The permission this capability stands for.
    const PERMISSION: Permission;
}

/// Evidence that a role holds capability `C`. Cannot be built except by [`Granted::check`].
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
        SettingsManage
    );
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
}

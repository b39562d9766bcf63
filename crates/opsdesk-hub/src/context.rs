//! Who is calling: the signed-in staff member, the integration behind an intake call, the
//! client's address, and a write's idempotency key. Plain types with no HTTP in them; the HTTP
//! layer (`routes::extract`) builds them from requests and the domain takes them as arguments.

use crate::support::effects::staff_ref;
use opsdesk_proto::IntegrationTokenView;
use opsdesk_store::{SessionRecord, StaffRecord};
use std::net::IpAddr;

/// The signed-in staff member making a request, with their session.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff: StaffRecord,
    pub session: SessionRecord,
}

impl Caller {
    /// The audit name of the caller.
    pub fn actor(&self) -> String {
        staff_ref(self.staff.id)
    }
}

/// An integration token that authenticated a request.
#[derive(Debug, Clone)]
pub struct Integration {
    pub token: IntegrationTokenView,
}

impl Integration {
    /// The audit name: `integration:<id>`.
    pub fn actor(&self) -> String {
        format!("integration:{}", self.token.id)
    }
}

/// Who is calling from where: the client address (from the socket, or `X-Forwarded-For` when
/// the hub is configured to trust it) and the user agent.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub addr: IpAddr,
    pub user_agent: String,
}

/// The `Idempotency-Key` header of a write, when sent: 1 to 100 visible ASCII characters.
/// A replayed write with the same key answers with the first result instead of writing again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

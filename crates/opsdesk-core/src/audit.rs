//! The audit hash chain: each entry holds the SHA-256 of its predecessor, so an edit or a
//! deletion anywhere breaks the chain at that entry. Verification streams entries in order.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Stable names, used in filters and exports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS,
)]
#[ts(export)]
pub enum AuditAction {
    #[serde(rename = "auth.sign_in")]
    SignIn,
    #[serde(rename = "auth.sign_in_failed")]
    SignInFailed,
    #[serde(rename = "auth.locked_out")]
    LockedOut,
    #[serde(rename = "auth.recovery_code_used")]
    RecoveryCodeUsed,
    #[serde(rename = "auth.reauthenticated")]
    Reauthenticated,
    #[serde(rename = "session.ended")]
    SessionEnded,
    #[serde(rename = "staff.invited")]
    StaffInvited,
    #[serde(rename = "staff.enrolled")]
    StaffEnrolled,
    #[serde(rename = "staff.role_changed")]
    RoleChanged,
    #[serde(rename = "staff.mfa_reset")]
    MfaReset,
    #[serde(rename = "staff.deactivated")]
    Deactivated,
    #[serde(rename = "audit.verified")]
    AuditVerified,
    #[serde(rename = "audit.exported")]
    AuditExported,
    #[serde(rename = "tenant.created")]
    TenantCreated,
    #[serde(rename = "tenant.updated")]
    TenantUpdated,
    #[serde(rename = "tenant.imported")]
    TenantsImported,
    #[serde(rename = "integration_token.created")]
    IntegrationTokenCreated,
    #[serde(rename = "integration_token.revoked")]
    IntegrationTokenRevoked,
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "ticket.replied")]
    TicketReplied,
    #[serde(rename = "ticket.noted")]
    TicketNoted,
    #[serde(rename = "ticket.escalated")]
    TicketEscalated,
    #[serde(rename = "ticket.sla_warning")]
    TicketSlaWarning,
    #[serde(rename = "ticket.sla_breached")]
    TicketSlaBreached,
    #[serde(rename = "ticket.merged")]
    TicketMerged,
    #[serde(rename = "ticket.bulk_edited")]
    TicketsBulkEdited,
    #[serde(rename = "group.changed")]
    GroupChanged,
    #[serde(rename = "sla_policy.changed")]
    SlaPolicyChanged,
    #[serde(rename = "saved_filter.changed")]
    SavedFilterChanged,
    #[serde(rename = "dataset.seeded")]
    DatasetSeeded,
    #[serde(rename = "access.requested")]
    AccessRequested,
    #[serde(rename = "access.reviewed")]
    AccessReviewed,
    #[serde(rename = "access.cancelled")]
    AccessRequestCancelled,
    #[serde(rename = "access.expired")]
    AccessRequestExpired,
    #[serde(rename = "access.exported")]
    AccessExported,
    #[serde(rename = "grant.started")]
    GrantStarted,
    #[serde(rename = "grant.ended")]
    GrantEnded,
    #[serde(rename = "tenant_data.read")]
    TenantDataRead,
    #[serde(rename = "tenant_data.written")]
    TenantDataWritten,
    #[serde(rename = "tenant_users.imported")]
    TenantUsersImported,
    #[serde(rename = "staff.clearance_recorded")]
    ClearanceRecorded,
}

impl AuditAction {
    /// Every action.
    pub const ALL: &'static [AuditAction] = &[
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::LockedOut,
        AuditAction::RecoveryCodeUsed,
        AuditAction::Reauthenticated,
        AuditAction::SessionEnded,
        AuditAction::StaffInvited,
        AuditAction::StaffEnrolled,
        AuditAction::RoleChanged,
        AuditAction::MfaReset,
        AuditAction::Deactivated,
        AuditAction::AuditVerified,
        AuditAction::AuditExported,
        AuditAction::TenantCreated,
        AuditAction::TenantUpdated,
        AuditAction::TenantsImported,
        AuditAction::IntegrationTokenCreated,
        AuditAction::IntegrationTokenRevoked,
        AuditAction::TicketCreated,
        AuditAction::TicketUpdated,
        AuditAction::TicketReplied,
        AuditAction::TicketNoted,
        AuditAction::TicketEscalated,
        AuditAction::TicketSlaWarning,
        AuditAction::TicketSlaBreached,
        AuditAction::TicketMerged,
        AuditAction::TicketsBulkEdited,
        AuditAction::GroupChanged,
        AuditAction::SlaPolicyChanged,
        AuditAction::SavedFilterChanged,
        AuditAction::DatasetSeeded,
        AuditAction::AccessRequested,
        AuditAction::AccessReviewed,
        AuditAction::AccessRequestCancelled,
        AuditAction::AccessRequestExpired,
        AuditAction::AccessExported,
        AuditAction::GrantStarted,
        AuditAction::GrantEnded,
        AuditAction::TenantDataRead,
        AuditAction::TenantDataWritten,
        AuditAction::TenantUsersImported,
        AuditAction::ClearanceRecorded,
    ];

    /// The stable name, e.g. `auth.sign_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "auth.sign_in",
            AuditAction::SignInFailed => "auth.sign_in_failed",
            AuditAction::LockedOut => "auth.locked_out",
            AuditAction::RecoveryCodeUsed => "auth.recovery_code_used",
            AuditAction::Reauthenticated => "auth.reauthenticated",
            AuditAction::SessionEnded => "session.ended",
            AuditAction::StaffInvited => "staff.invited",
            AuditAction::StaffEnrolled => "staff.enrolled",
            AuditAction::RoleChanged => "staff.role_changed",
            AuditAction::MfaReset => "staff.mfa_reset",
            AuditAction::Deactivated => "staff.deactivated",
            AuditAction::AuditVerified => "audit.verified",
            AuditAction::AuditExported => "audit.exported",
            AuditAction::TenantCreated => "tenant.created",
            AuditAction::TenantUpdated => "tenant.updated",
            AuditAction::TenantsImported => "tenant.imported",
            AuditAction::IntegrationTokenCreated => "integration_token.created",
            AuditAction::IntegrationTokenRevoked => "integration_token.revoked",
            AuditAction::TicketCreated => "ticket.created",
            AuditAction::TicketUpdated => "ticket.updated",
            AuditAction::TicketReplied => "ticket.replied",
            AuditAction::TicketNoted => "ticket.noted",
            AuditAction::TicketEscalated => "ticket.escalated",
            AuditAction::TicketSlaWarning => "ticket.sla_warning",
            AuditAction::TicketSlaBreached => "ticket.sla_breached",
            AuditAction::TicketMerged => "ticket.merged",
            AuditAction::TicketsBulkEdited => "ticket.bulk_edited",
            AuditAction::GroupChanged => "group.changed",
            AuditAction::SlaPolicyChanged => "sla_policy.changed",
            AuditAction::SavedFilterChanged => "saved_filter.changed",
            AuditAction::DatasetSeeded => "dataset.seeded",
            AuditAction::AccessRequested => "access.requested",
            AuditAction::AccessReviewed => "access.reviewed",
            AuditAction::AccessRequestCancelled => "access.cancelled",
            AuditAction::AccessRequestExpired => "access.expired",
            AuditAction::AccessExported => "access.exported",
            AuditAction::GrantStarted => "grant.started",
            AuditAction::GrantEnded => "grant.ended",
            AuditAction::TenantDataRead => "tenant_data.read",
            AuditAction::TenantDataWritten => "tenant_data.written",
            AuditAction::TenantUsersImported => "tenant_users.imported",
            AuditAction::ClearanceRecorded => "staff.clearance_recorded",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

/// The hashed content of one entry. `at_ms` is Unix milliseconds; `details` is a JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub client_addr: &'a str,
    pub details: &'a str,
}

/// The hash of an entry given its predecessor's hash, as lowercase hex.
pub fn entry_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    to_hex(&entry_digest(prev_hash, fields))
}

fn entry_digest(prev_hash: &str, f: &AuditFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    // Each field is length-prefixed so that moving bytes between fields changes the hash.
    for part in [
        prev_hash.as_bytes(),
        f.actor.as_bytes(),
        f.action.as_bytes(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(f.seq.to_le_bytes());
    h.update(f.at_ms.to_le_bytes());
    for part in [
        f.target.as_bytes(),
        f.client_addr.as_bytes(),
        f.details.as_bytes(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

fn to_hex(bytes: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

fn eq_hex(digest: &[u8; 32], hex: &str) -> bool {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return false;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest.iter().enumerate().all(|(i, b)| {
        hex[2 * i] == HEX[(b >> 4) as usize] && hex[2 * i + 1] == HEX[(b & 0xf) as usize]
    })
}

/// Why verification stopped at an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChainBreak {
    /// Entries before `seq` are missing (deleted): the sequence jumps.
    Missing { seq: i64, expected_seq: i64 },
    /// The entry's `prev_hash` is not its predecessor's hash (a predecessor was altered or removed).
    PrevHashMismatch { seq: i64 },
    /// The entry's content no longer matches its own hash (this entry was altered).
    Altered { seq: i64 },
}

impl ChainBreak {
    /// The sequence number of the first entry found wrong.
    pub fn seq(&self) -> i64 {
        match self {
            ChainBreak::Missing { seq, .. }
            | ChainBreak::PrevHashMismatch { seq }
            | ChainBreak::Altered { seq } => *seq,
        }
    }
}

/// Verifies entries pushed in sequence order, starting from the first entry (seq 1).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev: Option<[u8; 32]>,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting the first entry.
    pub fn new() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev: None,
            checked: 0,
        }
    }

    /// Entries verified so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Checks the next entry, given its stored `prev_hash` and `hash`.
    pub fn push(
        &mut self,
        fields: &AuditFields<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), ChainBreak> {
        if fields.seq != self.expected_seq {
            return Err(ChainBreak::Missing {
                seq: fields.seq,
                expected_seq: self.expected_seq,
            });
        }
        let linked = match &self.prev {
            None => prev_hash == GENESIS_HASH,
            Some(prev) => eq_hex(prev, prev_hash),
        };
        if !linked {
            return Err(ChainBreak::PrevHashMismatch { seq: fields.seq });
        }
        let digest = entry_digest(prev_hash, fields);
        if !eq_hex(&digest, hash) {
            return Err(ChainBreak::Altered { seq: fields.seq });
        }
        self.prev = Some(digest);
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        seq: i64,
        at: i64,
        actor: String,
        action: String,
        target: String,
        addr: String,
        details: String,
        prev: String,
        hash: String,
    }

    impl Row {
        fn fields(&self) -> AuditFields<'_> {
            AuditFields {
                seq: self.seq,
                at_ms: self.at,
                actor: &self.actor,
                action: &self.action,
                target: &self.target,
                client_addr: &self.addr,
                details: &self.details,
            }
        }
    }

    fn chain(n: i64) -> Vec<Row> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut row = Row {
                    seq,
                    at: 1_700_000_000_000 + seq,
                    actor: format!("staff:{seq}"),
                    action: "auth.sign_in".into(),
                    target: "staff:1".into(),
                    addr: "127.0.0.1".into(),
                    details: "{}".into(),
                    prev: prev.clone(),
                    hash: String::new(),
                };
                row.hash = entry_hash(&prev, &row.fields());
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    fn verify(rows: &[Row]) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for r in rows {
            v.push(&r.fields(), &r.prev, &r.hash)?;
        }
        Ok(v.checked())
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(50)), Ok(50));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let mut rows = chain(10);
        rows[6].details = r#"{"role":"admin"}"#.into();
        assert_eq!(verify(&rows), Err(ChainBreak::Altered { seq: 7 }));
    }

    #[test]
    fn an_altered_entry_with_a_recomputed_hash_breaks_its_successor() {
        let mut rows = chain(10);
        rows[3].actor = "staff:999".into();
        rows[3].hash = entry_hash(&rows[3].prev.clone(), &rows[3].fields());
        assert_eq!(verify(&rows), Err(ChainBreak::PrevHashMismatch { seq: 5 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut rows = chain(10);
        rows.remove(4);
        assert_eq!(
            verify(&rows),
            Err(ChainBreak::Missing {
                seq: 6,
                expected_seq: 5
            })
        );
        let mut rows = chain(3);
        rows.remove(0);
        assert_eq!(
            verify(&rows),
            Err(ChainBreak::Missing {
                seq: 2,
                expected_seq: 1
            })
        );
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let a = AuditFields {
            seq: 1,
            at_ms: 0,
            actor: "ab",
            action: "c",
            target: "",
            client_addr: "",
            details: "",
        };
        let b = AuditFields {
            actor: "a",
            action: "bc",
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS_HASH, &a), entry_hash(GENESIS_HASH, &b));
    }

    #[test]
    fn action_names_round_trip() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}

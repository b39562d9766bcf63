//! Listing the open sessions of a staff member, and ending sessions: one's own (sign out, end one,
//! end all others) and, for security officers, anyone's, which raises a security event and tells
//! staff readers (a `staff_changed` event).

use crate::context::{Caller, ClientInfo};
use crate::domain::staff::views::session_view;
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::{audit, security, staff_ref};
use crate::support::events::staff_event;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, OwnOrAny};
use opsdesk_core::staff::Severity;
use opsdesk_proto::{Page, SessionView};
use opsdesk_store::Effects;
use serde_json::json;
use uuid::Uuid;

/// Ends one session. Owners end their own; others need `sessions.revoke_any`, which also raises
/// a security event and a staff event about the session's owner.
pub async fn end_session(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    session_id: Uuid,
    reason: &str,
) -> HubResult<()> {
    let session = state
        .store
        .session_by_id(session_id)
        .await?
        .filter(|s| s.ended_at.is_none())
        .ok_or(HubError::NotFound("session"))?;
    let now = state.now();
    let actor = caller.actor();
    let mut fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::SessionEnded,
        &format!("session:{session_id}"),
        client.addr,
        json!({"staff": staff_ref(session.staff_id), "reason": reason}),
    ));
    let right = OwnOrAny::<cap::SessionsRevokeAny>::check(
        caller.staff.id,
        caller.staff.role,
        session.staff_id,
    )?;
    if right.by_other() {
        fx = fx
            .with_security(security(
                now,
                "sessions_ended_by_other",
                Severity::Medium,
                Some(session.staff_id),
                &actor,
                client.addr,
                format!(
                    "`{}` ended a session of {}",
                    caller.staff.username,
                    staff_ref(session.staff_id)
                ),
                json!({"session": session_id}),
            ))
            .with_event(staff_event(
                EventKind::StaffChanged,
                now,
                session.staff_id,
                Some(caller.staff.id),
            ));
    }
    if !state
        .store
        .end_session(&right, session_id, reason, now, fx)
        .await?
    {
        return Err(HubError::NotFound("session"));
    }
    Ok(())
}

/// Ends every session of `staff_id` except `keep`. Returns how many ended. Ending someone
/// else's also raises a security event and a staff event about them.
pub async fn end_sessions_of(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    staff_id: Uuid,
    keep: Option<Uuid>,
) -> HubResult<u64> {
    let now = state.now();
    let actor = caller.actor();
    let right =
        OwnOrAny::<cap::SessionsRevokeAny>::check(caller.staff.id, caller.staff.role, staff_id)?;
    let by_other = right.by_other();
    let mut fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::SessionEnded,
        &staff_ref(staff_id),
        client.addr,
        json!({"scope": "all", "kept": keep, "reason": if by_other { "ended_by_other" } else { "signed_out_everywhere" }}),
    ));
    if by_other {
        state
            .store
            .staff_by_id(staff_id)
            .await?
            .ok_or(HubError::NotFound("staff member"))?;
        fx = fx
            .with_security(security(
                now,
                "sessions_ended_by_other",
                Severity::Medium,
                Some(staff_id),
                &actor,
                client.addr,
                format!(
                    "`{}` ended every session of {}",
                    caller.staff.username,
                    staff_ref(staff_id)
                ),
                json!({}),
            ))
            .with_event(staff_event(
                EventKind::StaffChanged,
                now,
                staff_id,
                Some(caller.staff.id),
            ));
    }
    let reason = if by_other {
        "ended_by_other"
    } else {
        "signed_out_everywhere"
    };
    Ok(state
        .store
        .end_sessions_of(&right, keep, reason, now, fx)
        .await?)
}

/// Open sessions of a staff member that have not expired.
pub async fn live_sessions(
    state: &AppState,
    staff_id: Uuid,
    current: Option<Uuid>,
) -> HubResult<Page<SessionView>> {
    let policy = state.session_policy();
    let now = state.now();
    let items = state
        .store
        .list_sessions(staff_id)
        .await?
        .iter()
        .filter(|s| policy.is_live(s.created_at, s.last_seen_at, now))
        .map(|s| session_view(s, &policy, current))
        .collect();
    Ok(Page {
        items,
        next_cursor: None,
    })
}

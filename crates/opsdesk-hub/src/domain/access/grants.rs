//! Grants: listing them, and ending one early (released by its holder or revoked).

use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::state::AppState;
use crate::support::effects::grant_ref;
use crate::support::effects::{audit, security};
use crate::support::events;
use opsdesk_core::access::{check_comment, GrantEndReason, GrantState};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::proof::{cap, Granted, OwnOrAny};
use opsdesk_core::staff::Severity;
use opsdesk_core::Permission;
use opsdesk_proto::{GrantQuery, GrantView, RevokeGrantRequest};
use opsdesk_store::{Effects, EndGrant, GrantFilter};
use serde_json::json;
use uuid::Uuid;

/// Most grants one listing returns.
const GRANTS_MAX: u32 = 500;

/// Grants: mine, or everyone's (reviewers and security).
pub async fn grants(state: &AppState, caller: &Caller, q: GrantQuery) -> HubResult<Vec<GrantView>> {
    let holder_id = if q.all {
        Granted::<cap::AccessReview>::check(caller.staff.role)?;
        None
    } else {
        Some(caller.staff.id)
    };
    Ok(state
        .store
        .list_grants(&GrantFilter {
            holder_id,
            tenant_id: q.tenant_id,
            current_only: q.current,
            limit: GRANTS_MAX,
            now: state.now(),
        })
        .await?)
}

async fn load_grant(state: &AppState, id: Uuid) -> HubResult<GrantView> {
    state
        .store
        .grant(id, state.now())
        .await?
        .ok_or(HubError::NotFound("grant"))
}

async fn end(
    state: &AppState,
    right: &OwnOrAny<cap::GrantsRevokeAny>,
    caller: &Caller,
    client: &ClientInfo,
    grant: GrantView,
    reason: GrantEndReason,
    comment: Option<String>,
) -> HubResult<GrantView> {
    let now = state.now();
    if grant.state == GrantState::Ended {
        return Err(HubError::unprocessable(
            "grant_already_ended",
            format!(
                "this grant already ended ({})",
                grant
                    .end_reason
                    .map_or("expired".to_owned(), |r| r.to_string())
            ),
        ));
    }
    let actor = caller.actor();
    let details = json!({
        "reason": reason,
        "comment": comment,
        "holder": grant.holder.id,
        "tenant_id": grant.tenant.id,
        "scope": grant.scope,
        "was_ending_at": grant.ends_at,
    });
    let mut fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::GrantEnded,
        &grant_ref(grant.id),
        client.addr,
        details.clone(),
    ))
    .with_event(events::access_event(
        EventKind::GrantEnded,
        now,
        events::grant_facts(&grant),
        Some(caller.staff.id),
    ));
    if reason == GrantEndReason::Revoked {
        fx.security.push(security(
            now,
            "grant_revoked",
            Severity::Medium,
            Some(grant.holder.id),
            &actor,
            client.addr,
            format!(
                "{}'s {} access to {} revoked by {}",
                grant.holder.display_name,
                grant.scope,
                grant.tenant.name,
                caller.staff.display_name
            ),
            details,
        ));
    }
    state
        .store
        .end_grant(
            right,
            EndGrant {
                grant_id: grant.id,
                reason,
                by: Some(caller.staff.id),
                comment,
                at: now,
            },
            fx,
        )
        .await?
        .ok_or_else(|| HubError::unprocessable("grant_already_ended", "this grant already ended"))
}

/// The holder ends their grant early; it stops working at once.
pub async fn release(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
) -> HubResult<GrantView> {
    let grant = load_grant(state, id).await?;
    if grant.holder.id != caller.staff.id {
        if caller.staff.role.has(Permission::AccessReview) {
            return Err(HubError::unprocessable(
                "not_your_grant",
                "only the holder releases a grant; security officers and admins revoke it",
            ));
        }
        return Err(HubError::NotFound("grant"));
    }
    let holder = OwnOrAny::check(caller.staff.id, caller.staff.role, grant.holder.id)?;
    end(
        state,
        &holder,
        caller,
        client,
        grant,
        GrantEndReason::Released,
        None,
    )
    .await
}

/// A security officer or admin ends someone's grant, with a reason.
pub async fn revoke(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    id: Uuid,
    req: RevokeGrantRequest,
) -> HubResult<GrantView> {
    let revoker = Granted::<cap::GrantsRevokeAny>::check(caller.staff.role)?;
    let reason =
        check_comment(Some(&req.reason), true).map_err(|e| HubError::field("reason", e))?;
    let grant = load_grant(state, id).await?;
    let right = OwnOrAny::any(&revoker, grant.holder.id);
    end(
        state,
        &right,
        caller,
        client,
        grant,
        GrantEndReason::Revoked,
        reason,
    )
    .await
}

//! Staff authentication: resolving a bearer token to the caller, the sign-in rate limit, and
//! starting a session; sign-in, enrollment and sessions in the files beside it.

pub mod enrollment;
pub mod sessions;
pub mod sign_in;

use crate::context::{Caller, ClientInfo};
use crate::domain::staff::views::{session_view, staff_view};
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::{audit, staff_ref};
use chrono::{DateTime, Duration, Utc};
use opsdesk_core::audit::AuditAction;
use opsdesk_core::proof::OwnOrAny;
use opsdesk_core::staff::StaffStatus;
use opsdesk_proto::SignedIn;
use opsdesk_store::{Effects, NewSession};
use serde_json::json;
use uuid::Uuid;

/// How long the second sign-in step may wait.
pub(crate) const CHALLENGE_LIFETIME_MINUTES: i64 = 5;

/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Resolves a bearer token to a live session of an active staff member.
pub async fn authenticate(state: &AppState, token: &str) -> HubResult<Caller> {
    let now = state.now();
    let Some((session, staff)) = state
        .store
        .session_by_token(&secrets::token_hash(token))
        .await?
    else {
        return Err(HubError::unauthenticated(
            "invalid_token",
            "this session is not valid (it was ended or never existed); sign in again",
        ));
    };
    let policy = state.session_policy();
    if !policy.is_live(session.created_at, session.last_seen_at, now) {
        let fx = Effects::audit(audit(
            now,
            "system",
            AuditAction::SessionEnded,
            &format!("session:{}", session.id),
            session
                .client_addr
                .parse()
                .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
            json!({"staff": staff_ref(staff.id), "reason": "expired"}),
        ));
        state
            .store
            .end_session(&OwnOrAny::system(staff.id), session.id, "expired", now, fx)
            .await?;
        return Err(HubError::unauthenticated(
            "session_expired",
            "your session has expired; sign in again",
        ));
    }
    if staff.status != StaffStatus::Active {
        return Err(HubError::unauthenticated(
            "account_inactive",
            "this account is not active",
        ));
    }
    if (now - session.last_seen_at).num_seconds() >= TOUCH_EVERY_SECONDS {
        state.store.touch_session(session.id, now).await?;
    }
    Ok(Caller { staff, session })
}

pub(crate) fn check_rate(state: &AppState, client: &ClientInfo) -> HubResult<()> {
    state
        .sign_in_limiter
        .check(client.addr, state.now())
        .map_err(|retry_after_secs| HubError::RateLimited {
            retry_after_secs,
            retry_at: state.now() + Duration::seconds(retry_after_secs as i64),
        })
}

pub(crate) fn invalid_credentials() -> HubError {
    HubError::unauthenticated("invalid_credentials", "the username or password is wrong")
}

/// A new bearer token and the session it opens (only the token's hash is stored).
pub(crate) fn new_session(
    staff_id: Uuid,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> (String, NewSession) {
    let token = secrets::new_token("ods_");
    let session = NewSession {
        id: Uuid::now_v7(),
        token_hash: secrets::token_hash(&token),
        staff_id,
        created_at: now,
        client_addr: client.addr.to_string(),
        user_agent: client.user_agent.clone(),
    };
    (token, session)
}

pub(crate) async fn signed_in(
    state: &AppState,
    staff_id: Uuid,
    session_id: Uuid,
    token: String,
) -> HubResult<SignedIn> {
    let staff = state
        .store
        .staff_by_id(staff_id)
        .await?
        .ok_or(HubError::NotFound("staff member"))?;
    let session = state
        .store
        .session_by_id(session_id)
        .await?
        .ok_or(HubError::NotFound("session"))?;
    Ok(SignedIn {
        token,
        session: session_view(&session, &state.session_policy(), Some(session_id)),
        staff: staff_view(&staff),
    })
}

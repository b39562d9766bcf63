//! Accepting an invite: choosing a password, enrolling TOTP, and receiving the recovery codes
//! and a first session. Also how an MFA reset's new invite is accepted.

use crate::context::ClientInfo;
use crate::domain::auth::{check_rate, new_session, signed_in};
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::{audit, staff_ref};
use crate::support::events::staff_event;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::events::EventKind;
use opsdesk_core::password;
use opsdesk_core::staff::StaffStatus;
use opsdesk_core::totp::{TotpError, TotpSecret};
use opsdesk_proto::{EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer};
use opsdesk_store::{CompleteEnrollment, Effects, InviteRecord, StaffRecord, StoreError};
use serde_json::json;

/// Finds a usable invite for `token`: exists, unused, unexpired, for an invited account.
async fn usable_invite(state: &AppState, token: &str) -> HubResult<(InviteRecord, StaffRecord)> {
    let now = state.now();
    let invite = if token.is_empty() || token.len() > 200 {
        None
    } else {
        state
            .store
            .invite_by_token(&secrets::token_hash(token))
            .await?
    };
    let invite = invite.ok_or_else(|| {
        HubError::field(
            "invite_token",
            "is not a valid invite; check you copied all of it",
        )
    })?;
    if invite.used_at.is_some() {
        return Err(HubError::unprocessable(
            "invite_used",
            "this invite was already used or replaced by a newer one; ask for a new invite",
        ));
    }
    if invite.expires_at <= now {
        return Err(HubError::unprocessable(
            "invite_expired",
            format!(
                "this invite expired at {}; ask for a new invite",
                invite.expires_at
            ),
        ));
    }
    let staff = state
        .store
        .staff_by_id(invite.staff_id)
        .await?
        .filter(|s| s.status == StaffStatus::Invited)
        .ok_or_else(|| {
            HubError::unprocessable(
                "invite_used",
                "this invite is no longer valid; ask for a new invite",
            )
        })?;
    Ok((invite, staff))
}

/// Invite step one: set a password; returns the TOTP secret to enroll.
pub async fn start_enrollment(
    state: &AppState,
    req: EnrollStartRequest,
) -> HubResult<EnrollmentOffer> {
    let (invite, staff) = usable_invite(state, req.invite_token.trim()).await?;
    password::check(&req.password, &staff.username).map_err(|p| HubError::field("password", p))?;
    let hash = secrets::hash_password(&state.settings.auth, req.password).await?;
    let secret = secrets::new_totp_secret();
    state
        .store
        .stage_enrollment(invite.id, &hash, &secret.to_base32())
        .await?;
    let uri = secret.otpauth_uri(&state.settings.auth.totp_issuer, &staff.username);
    Ok(EnrollmentOffer {
        username: staff.username,
        display_name: staff.display_name,
        totp_secret: secret.to_base32(),
        qr_svg: secrets::qr_svg(&uri)?,
        otpauth_uri: uri,
        invite_expires_at: invite.expires_at,
    })
}

/// Invite step two: confirm the authenticator with a code; returns recovery codes and a session.
pub async fn confirm_enrollment(
    state: &AppState,
    client: &ClientInfo,
    req: EnrollConfirmRequest,
) -> HubResult<Enrolled> {
    check_rate(state, client)?;
    let (invite, staff) = usable_invite(state, req.invite_token.trim()).await?;
    let secret = invite
        .staged_totp_secret
        .as_deref()
        .and_then(TotpSecret::from_base32)
        .filter(|_| invite.staged_password_hash.is_some())
        .ok_or_else(|| {
            HubError::unprocessable(
                "enrollment_not_started",
                "choose a password first; then confirm with a code",
            )
        })?;
    let now = state.now();
    let step = match secret.verify(&req.code, now.timestamp(), None) {
        Ok(step) => step,
        Err(TotpError::Malformed) => {
            return Err(HubError::field(
                "code",
                "must be the 6 digits shown by your authenticator app",
            ))
        }
        Err(_) => {
            return Err(HubError::field(
                "code",
                "is wrong or has expired; check your device's clock and enter the current code",
            ))
        }
    };
    let codes = secrets::new_recovery_codes();
    let (token, session) = new_session(staff.id, client, now);
    let session_id = session.id;
    let target = staff_ref(staff.id);
    let fx = Effects {
        audit: vec![
            audit(
                now,
                &target,
                AuditAction::StaffEnrolled,
                &target,
                client.addr,
                json!({"invite": invite.id, "kind": invite.kind.as_str()}),
            ),
            audit(
                now,
                &target,
                AuditAction::SignIn,
                &target,
                client.addr,
                json!({"method": "enrollment", "session": session_id}),
            ),
        ],
        security: Vec::new(),
        events: vec![staff_event(
            EventKind::StaffEnrolled,
            now,
            staff.id,
            Some(staff.id),
        )],
    };
    state
        .store
        .complete_enrollment(
            CompleteEnrollment {
                invite_id: invite.id,
                staff_id: staff.id,
                totp_step: step,
                recovery_code_hashes: codes.iter().map(|c| secrets::token_hash(c)).collect(),
                session,
                now,
            },
            fx,
        )
        .await
        .map_err(|e| match e {
            StoreError::AlreadyUsed(_) => {
                HubError::unprocessable("invite_used", "this invite was already used")
            }
            other => other.into(),
        })?;
    Ok(Enrolled {
        recovery_codes: codes,
        signed_in: signed_in(state, staff.id, session_id, token).await?,
    })
}

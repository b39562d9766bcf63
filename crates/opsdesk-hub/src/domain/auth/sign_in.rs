//! Sign-in in two explicit steps (password, then TOTP or a recovery code), lockout after repeated
//! failures, and re-authentication before sensitive actions.

use super::{check_rate, invalid_credentials, new_session, signed_in, CHALLENGE_LIFETIME_MINUTES};
use crate::context::{Caller, ClientInfo};
use crate::error::{HubError, HubResult};
use crate::secrets;
use crate::state::AppState;
use crate::support::effects::{audit, security, staff_ref};
use chrono::Duration;
use opsdesk_core::audit::AuditAction;
use opsdesk_core::lockout::LockoutPolicy;
use opsdesk_core::password;
use opsdesk_core::staff::{Severity, StaffStatus};
use opsdesk_core::totp::{TotpError, TotpSecret};
use opsdesk_proto::{LoginChallenge, LoginRequest, MfaRequest, SignedIn};
use opsdesk_store::{CompleteSignIn, Effects, NewLoginChallenge, StaffRecord, StoreError};
use serde_json::json;

/// Step one: the password. Returns a short-lived challenge for the second factor.
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    req: LoginRequest,
) -> HubResult<LoginChallenge> {
    check_rate(state, client)?;
    if req.username.trim().is_empty() || req.username.chars().count() > 64 {
        return Err(HubError::field("username", "must be 1 to 64 characters"));
    }
    if req.password.is_empty() || req.password.chars().count() > password::MAX_CHARS {
        return Err(HubError::field(
            "password",
            format!("must be 1 to {} characters", password::MAX_CHARS),
        ));
    }
    let username = req.username.trim().to_lowercase();
    let now = state.now();
    let staff = state.store.staff_by_username(&username).await?;
    let usable = staff
        .as_ref()
        .filter(|s| s.status == StaffStatus::Active && s.password_hash.is_some());
    let Some(staff) = usable else {
        // Same work and the same answer as a wrong password, so names cannot be probed.
        secrets::verify_password(&state.settings.auth, req.password, None).await?;
        let reason = match &staff {
            None => "unknown_username",
            Some(s) if s.status == StaffStatus::Deactivated => "deactivated",
            Some(_) => "not_enrolled",
        };
        let fx = Effects::audit(audit(
            now,
            "anonymous",
            AuditAction::SignInFailed,
            &staff
                .as_ref()
                .map(|s| staff_ref(s.id))
                .unwrap_or_else(|| format!("username:{username}")),
            client.addr,
            json!({"username": username, "reason": reason, "step": "password"}),
        ))
        .with_security(security(
            now,
            "sign_in_failed",
            Severity::Low,
            staff.as_ref().map(|s| s.id),
            "anonymous",
            client.addr,
            format!("failed sign-in for `{username}` ({reason})"),
            json!({"username": username, "reason": reason}),
        ));
        state.store.record(fx).await?;
        metrics::counter!("opsdesk_sign_in_attempts_total", "step" => "password", "outcome" => "failed").increment(1);
        return Err(invalid_credentials());
    };
    if LockoutPolicy::is_locked(staff.locked_until, now) {
        return Err(HubError::Locked {
            until: staff.locked_until.unwrap_or(now),
        });
    }
    let ok = secrets::verify_password(
        &state.settings.auth,
        req.password,
        staff.password_hash.clone(),
    )
    .await?;
    if !ok {
        metrics::counter!("opsdesk_sign_in_attempts_total", "step" => "password", "outcome" => "failed").increment(1);
        return Err(record_failure(state, client, staff, "wrong_password", "password").await?);
    }
    let challenge = secrets::new_token("odc_");
    let expires_at = now + Duration::minutes(CHALLENGE_LIFETIME_MINUTES);
    state
        .store
        .create_login_challenge(NewLoginChallenge {
            id_hash: secrets::token_hash(&challenge),
            staff_id: staff.id,
            created_at: now,
            expires_at,
        })
        .await?;
    metrics::counter!("opsdesk_sign_in_attempts_total", "step" => "password", "outcome" => "ok")
        .increment(1);
    Ok(LoginChallenge {
        challenge,
        expires_at,
    })
}

/// Records a failed attempt against a known account (locking it at the threshold) and returns
/// the error to show.
async fn record_failure(
    state: &AppState,
    client: &ClientInfo,
    staff: &StaffRecord,
    reason: &str,
    step: &str,
) -> HubResult<HubError> {
    let now = state.now();
    let outcome = state
        .lockout_policy()
        .after_failure(staff.failed_attempts, now);
    let target = staff_ref(staff.id);
    let mut fx = Effects::audit(audit(
        now,
        "anonymous",
        AuditAction::SignInFailed,
        &target,
        client.addr,
        json!({"username": staff.username, "reason": reason, "step": step}),
    ))
    .with_security(security(
        now,
        "sign_in_failed",
        Severity::Low,
        Some(staff.id),
        "anonymous",
        client.addr,
        format!("failed sign-in for `{}` ({reason})", staff.username),
        json!({"reason": reason, "step": step}),
    ));
    if let Some(until) = outcome.locked_until {
        fx.audit.push(audit(
            now,
            "system",
            AuditAction::LockedOut,
            &target,
            client.addr,
            json!({"locked_until": until, "after_failures": state.settings.auth.lockout_threshold}),
        ));
        fx = fx.with_security(security(
            now,
            "account_locked",
            Severity::High,
            Some(staff.id),
            "system",
            client.addr,
            format!(
                "`{}` locked until {until} after repeated failed sign-ins",
                staff.username
            ),
            json!({"locked_until": until}),
        ));
    }
    state
        .store
        .record_sign_in_failure(Some(staff.id), outcome.failures, outcome.locked_until, fx)
        .await?;
    Ok(match outcome.locked_until {
        Some(until) => HubError::Locked { until },
        None if reason == "wrong_password" => invalid_credentials(),
        None if reason == "replayed_code" => HubError::unauthenticated(
            "code_already_used",
            "this code was already used; wait for the next code from your authenticator app",
        ),
        None if reason == "wrong_recovery_code" => HubError::unauthenticated(
            "invalid_recovery_code",
            "this recovery code is wrong or was already used",
        ),
        None => HubError::unauthenticated(
            "invalid_code",
            "the code is wrong or has expired; check your device's clock and try the current code",
        ),
    })
}

/// Step two: a TOTP code or a recovery code. Opens a session.
pub async fn complete_mfa(
    state: &AppState,
    client: &ClientInfo,
    req: MfaRequest,
) -> HubResult<SignedIn> {
    check_rate(state, client)?;
    let now = state.now();
    let code = req.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let recovery = req
        .recovery_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if code.is_some() == recovery.is_some() {
        return Err(HubError::field("code", "give either `code` (from your authenticator app) or `recovery_code`, not both or neither"));
    }
    if req.challenge.len() > 200 {
        return Err(HubError::field("challenge", "is not a sign-in challenge"));
    }
    let challenge_hash = secrets::token_hash(&req.challenge);
    let challenge = state
        .store
        .login_challenge(&challenge_hash)
        .await?
        .filter(|c| c.expires_at > now)
        .ok_or_else(|| {
            HubError::unauthenticated(
                "invalid_challenge",
                "this sign-in step has expired or was already used; start again with your password",
            )
        })?;
    let staff = state
        .store
        .staff_by_id(challenge.staff_id)
        .await?
        .filter(|s| s.status == StaffStatus::Active)
        .ok_or_else(invalid_credentials)?;
    if LockoutPolicy::is_locked(staff.locked_until, now) {
        return Err(HubError::Locked {
            until: staff.locked_until.unwrap_or(now),
        });
    }
    let (totp_step, recovery_hash) = if let Some(code) = code {
        let secret = staff
            .totp_secret
            .as_deref()
            .and_then(TotpSecret::from_base32)
            .ok_or_else(|| HubError::unprocessable("mfa_not_enrolled", "this account has no authenticator enrolled; ask an administrator for a new invite"))?;
        match secret.verify(code, now.timestamp(), staff.totp_last_step) {
            Ok(step) => (Some(step), None),
            Err(TotpError::Malformed) => {
                return Err(HubError::field(
                    "code",
                    "must be the 6 digits shown by your authenticator app",
                ))
            }
            Err(TotpError::Replayed) => {
                return Err(record_failure(state, client, &staff, "replayed_code", "totp").await?)
            }
            Err(TotpError::Wrong) => {
                return Err(record_failure(state, client, &staff, "wrong_code", "totp").await?)
            }
        }
    } else {
        let normalized = secrets::normalize_recovery_code(recovery.unwrap_or_default());
        let hash = secrets::token_hash(&normalized);
        if normalized.len() > 40 || !state.store.recovery_code_unused(staff.id, &hash).await? {
            return Err(record_failure(
                state,
                client,
                &staff,
                "wrong_recovery_code",
                "recovery_code",
            )
            .await?);
        }
        (None, Some(hash))
    };
    let (token, session) = new_session(staff.id, client, now);
    let method = if totp_step.is_some() {
        "totp"
    } else {
        "recovery_code"
    };
    let target = staff_ref(staff.id);
    let mut fx = Effects::audit(audit(
        now,
        &target,
        AuditAction::SignIn,
        &target,
        client.addr,
        json!({"method": method, "session": session.id, "user_agent": client.user_agent}),
    ));
    if recovery_hash.is_some() {
        let left = state
            .store
            .recovery_codes_left(staff.id)
            .await?
            .saturating_sub(1);
        fx.audit.push(audit(
            now,
            &target,
            AuditAction::RecoveryCodeUsed,
            &target,
            client.addr,
            json!({"codes_left": left}),
        ));
        fx = fx.with_security(security(
            now,
            "recovery_code_used",
            Severity::Medium,
            Some(staff.id),
            &target,
            client.addr,
            format!(
                "`{}` signed in with a recovery code ({left} left)",
                staff.username
            ),
            json!({"codes_left": left}),
        ));
    }
    let session_id = session.id;
    let result = state
        .store
        .complete_sign_in(
            CompleteSignIn {
                challenge_hash,
                staff_id: staff.id,
                totp_step,
                recovery_code_hash: recovery_hash,
                session,
                now,
            },
            fx,
        )
        .await;
    match result {
        Ok(()) => {}
        Err(StoreError::AlreadyUsed("totp_replayed")) => {
            return Err(record_failure(state, client, &staff, "replayed_code", "totp").await?)
        }
        Err(StoreError::AlreadyUsed("recovery_code_used")) => {
            return Err(record_failure(
                state,
                client,
                &staff,
                "wrong_recovery_code",
                "recovery_code",
            )
            .await?)
        }
        Err(StoreError::AlreadyUsed(_)) => {
            return Err(HubError::unauthenticated(
                "invalid_challenge",
                "this sign-in step was already used; start again with your password",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    metrics::counter!("opsdesk_sign_in_attempts_total", "step" => "mfa", "outcome" => "ok")
        .increment(1);
    signed_in(state, staff.id, session_id, token).await
}

/// Unlocks an idle app: checks a TOTP code for the caller. A wrong or reused code counts toward
/// the lockout like a failed sign-in; the lock also refuses unlocking.
pub async fn reauthenticate(
    state: &AppState,
    caller: &Caller,
    client: &ClientInfo,
    code: &str,
) -> HubResult<()> {
    check_rate(state, client)?;
    let now = state.now();
    let staff = &caller.staff;
    if LockoutPolicy::is_locked(staff.locked_until, now) {
        return Err(HubError::Locked {
            until: staff.locked_until.unwrap_or(now),
        });
    }
    let secret = staff
        .totp_secret
        .as_deref()
        .and_then(TotpSecret::from_base32)
        .ok_or_else(|| {
            HubError::unprocessable(
                "mfa_not_enrolled",
                "this account has no authenticator enrolled",
            )
        })?;
    let step = match secret.verify(code, now.timestamp(), staff.totp_last_step) {
        Ok(step) => step,
        Err(TotpError::Malformed) => {
            return Err(HubError::field(
                "code",
                "must be the 6 digits shown by your authenticator app",
            ))
        }
        Err(TotpError::Replayed) => {
            return Err(record_failure(state, client, staff, "replayed_code", "unlock").await?)
        }
        Err(TotpError::Wrong) => {
            return Err(record_failure(state, client, staff, "wrong_code", "unlock").await?)
        }
    };
    let actor = caller.actor();
    let fx = Effects::audit(audit(
        now,
        &actor,
        AuditAction::Reauthenticated,
        &actor,
        client.addr,
        json!({"session": caller.session.id}),
    ));
    match state.store.record_totp_step(staff.id, step, fx).await {
        Ok(()) => Ok(()),
        Err(StoreError::AlreadyUsed(_)) => {
            Err(record_failure(state, client, staff, "replayed_code", "unlock").await?)
        }
        Err(e) => Err(e.into()),
    }
}

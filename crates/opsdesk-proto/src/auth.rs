//! Sign-in, enrollment and session types.

use crate::staff::StaffView;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Step one of sign-in: the password.
#[derive(Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The password was right; prove the second factor with this challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct LoginChallenge {
    /// Opaque, single-use, valid for five minutes.
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// Step two of sign-in: a TOTP code or, instead, one recovery code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct MfaRequest {
    pub challenge: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// A new session.
#[derive(Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SignedIn {
    /// Bearer token for `Authorization: Bearer ...`. Shown once; the hub keeps only its hash.
    pub token: String,
    pub session: SessionView,
    pub staff: StaffView,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("token", &"<redacted>")
            .field("session", &self.session)
            .field("staff", &self.staff)
            .finish()
    }
}

/// A session as its owner (or a security officer) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SessionView {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// When it ends if unused (idle timeout) or at the latest (absolute lifetime).
    pub expires_at: DateTime<Utc>,
    pub client_addr: String,
    pub user_agent: String,
    /// True for the session making this request.
    pub current: bool,
}

/// Step one of accepting an invite: the password to set.
#[derive(Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct EnrollStartRequest {
    pub invite_token: String,
    pub password: String,
}

impl std::fmt::Debug for EnrollStartRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrollStartRequest { .. }")
    }
}

/// The TOTP secret to add to an authenticator app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct EnrollmentOffer {
    pub username: String,
    pub display_name: String,
    /// Base32 secret, for typing in by hand.
    pub totp_secret: String,
    /// `otpauth://totp/...` URI, for apps that import links.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
    pub invite_expires_at: DateTime<Utc>,
}

/// Step two of accepting an invite: a code from the authenticator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct EnrollConfirmRequest {
    pub invite_token: String,
    pub code: String,
}

/// Enrollment is complete: recovery codes (shown once) and a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Enrolled {
    /// Ten one-time codes; each can replace a TOTP code once. The hub keeps only hashes.
    pub recovery_codes: Vec<String>,
    pub signed_in: SignedIn,
}

/// Proves presence again (unlocking an idle app) with a TOTP code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
#[serde(deny_unknown_fields)]
pub struct ReauthenticateRequest {
    pub code: String,
}

/// How many sessions were ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// The signed-in person, their session and what they may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
#[ts(export)]
pub struct Me {
    pub staff: StaffView,
    pub session: SessionView,
    pub capabilities: crate::staff::Capabilities,
}

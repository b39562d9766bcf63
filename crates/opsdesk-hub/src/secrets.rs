//! Tokens, password hashes and recovery codes. Tokens are random and only their SHA-256 is
//! stored; passwords are hashed with argon2id on the blocking pool so sign-ins cannot stall the
//! async threads.

use crate::config::AuthSettings;
use crate::error::HubError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// A new random bearer token with a recognisable prefix (`ods_`).
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// SHA-256 hex of a token or code, as stored.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Ten one-time recovery codes like `K7QX-2M9D-PA4R` (60 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..10)
        .map(|_| {
            let mut bytes = [0u8; 12];
            OsRng.fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed (any case, with or without dashes and spaces) in stored form.
pub fn normalize_recovery_code(code: &str) -> String {
    let compact: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A fresh TOTP secret.
pub fn new_totp_secret() -> opsdesk_core::totp::TotpSecret {
    let mut bytes = [0u8; opsdesk_core::totp::SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    opsdesk_core::totp::TotpSecret::from_bytes(bytes)
}

/// The `otpauth://` URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> Result<String, HubError> {
    let code =
        qrcode::QrCode::new(uri.as_bytes()).map_err(|e| HubError::Internal(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build())
}

fn argon2(settings: &AuthSettings) -> Result<Argon2<'static>, HubError> {
    let params = Params::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        1,
        None,
    )
    .map_err(|e| HubError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with argon2id on the blocking pool.
pub async fn hash_password(settings: &AuthSettings, password: String) -> Result<String, HubError> {
    let hasher = argon2(settings)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HubError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| HubError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash on the blocking pool. With no stored hash it still
/// does the work of one check, so an unknown username takes as long as a wrong password.
pub async fn verify_password(
    settings: &AuthSettings,
    password: String,
    stored: Option<String>,
) -> Result<bool, HubError> {
    let stored = match stored {
        Some(s) => s,
        None => dummy_hash(settings).await?,
    };
    let hasher = argon2(settings)?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| HubError::Internal(format!("stored hash: {e}")))?;
        Ok(hasher.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| HubError::Internal(e.to_string()))?
}

async fn dummy_hash(settings: &AuthSettings) -> Result<String, HubError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let h = hash_password(settings, new_token("dummy_")).await?;
    Ok(DUMMY.get_or_init(|| h).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashes_stable() {
        let a = new_token("ods_");
        assert!(a.starts_with("ods_") && a.len() > 40);
        assert_ne!(a, new_token("ods_"));
        assert_eq!(token_hash("x"), token_hash("x"));
        assert_eq!(token_hash("abc").len(), 64);
    }

    #[test]
    fn recovery_codes_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 14);
            assert_eq!(
                normalize_recovery_code(&c.to_lowercase().replace('-', " ")),
                *c
            );
        }
    }

    #[tokio::test]
    async fn passwords_verify() {
        let s = AuthSettings::default();
        let h = hash_password(&s, "correct horse battery".into())
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password(&s, "correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password(&s, "wrong".into(), Some(h)).await.unwrap());
        assert!(!verify_password(&s, "anything".into(), None).await.unwrap());
    }
}

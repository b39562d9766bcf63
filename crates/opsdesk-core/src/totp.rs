//! TOTP per RFC 6238 (HMAC-SHA-1, 6 digits, 30-second steps) with one step of drift either way,
//! and refusal of a code whose step was already used.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Length of a step in seconds.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Secret length in bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// A TOTP shared secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the code must be 6 digits")]
    Malformed,
    #[error("the code is wrong or has expired")]
    Wrong,
    #[error("this code was already used; wait for the next one")]
    Replayed,
}

impl TotpSecret {
    /// Wraps raw secret bytes (from a random source chosen by the caller).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        TotpSecret(bytes.to_vec())
    }

    /// Parses the base32 form (as shown to people and stored), ignoring spaces and case.
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(cleaned.trim_end_matches('=').as_bytes())
            .ok()?;
        (bytes.len() >= 10).then_some(TotpSecret(bytes))
    }

    /// The base32 form without padding.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` URI that authenticator apps import.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer_enc = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer_enc}:{}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            percent_encode(account),
            self.to_base32()
        )
    }

    /// The code for a given step number.
    pub fn code_at_step(&self, step: i64) -> u32 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(&(step as u64).to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[19] & 0x0f) as usize;
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        binary % 10u32.pow(DIGITS)
    }

    /// The code at `unix_seconds`, zero-padded to six digits.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        format!("{:06}", self.code_at_step(step_of(unix_seconds)))
    }

    /// Verifies `code` at `unix_seconds`, allowing one step of drift. `last_used_step` is the step
    /// of the last accepted code; any code at or before it is refused as replayed. Returns the
    /// step that matched, which the caller records.
    pub fn verify(
        &self,
        code: &str,
        unix_seconds: i64,
        last_used_step: Option<i64>,
    ) -> Result<i64, TotpError> {
        let code = code.trim().replace(' ', "");
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TotpError::Malformed);
        }
        let wanted: u32 = code.parse().map_err(|_| TotpError::Malformed)?;
        let now = step_of(unix_seconds);
        for step in [now - 1, now, now + 1] {
            if self.code_at_step(step) == wanted {
                if last_used_step.is_some_and(|last| step <= last) {
                    return Err(TotpError::Replayed);
                }
                return Ok(step);
            }
        }
        Err(TotpError::Wrong)
    }
}

/// The step number for a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    /// RFC 6238 appendix B, SHA-1 column (last six digits of the eight-digit values).
    #[test]
    fn rfc6238_test_vectors() {
        let cases = [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
            (20000000000, "353130"),
        ];
        for (t, code) in cases {
            assert_eq!(rfc_secret().code_at(t), code, "t={t}");
        }
    }

    #[test]
    fn one_step_of_drift_is_allowed_two_are_not() {
        let s = rfc_secret();
        let t = 1_700_000_000;
        assert!(s.verify(&s.code_at(t - 30), t, None).is_ok());
        assert!(s.verify(&s.code_at(t + 30), t, None).is_ok());
        assert_eq!(s.verify(&s.code_at(t - 60), t, None), Err(TotpError::Wrong));
        assert_eq!(s.verify(&s.code_at(t + 60), t, None), Err(TotpError::Wrong));
    }

    #[test]
    fn a_used_code_is_refused() {
        let s = rfc_secret();
        let t = 1_700_000_000;
        let step = s.verify(&s.code_at(t), t, None).unwrap();
        assert_eq!(
            s.verify(&s.code_at(t), t, Some(step)),
            Err(TotpError::Replayed)
        );
        // An older code still inside the drift window is refused too.
        assert_eq!(
            s.verify(&s.code_at(t - 30), t, Some(step)),
            Err(TotpError::Replayed)
        );
        assert!(s.verify(&s.code_at(t + 30), t + 30, Some(step)).is_ok());
    }

    #[test]
    fn malformed_codes_are_named() {
        let s = rfc_secret();
        for bad in ["", "12345", "1234567", "12a456", "      "] {
            assert_eq!(s.verify(bad, 0, None), Err(TotpError::Malformed), "{bad:?}");
        }
        // Spaces inside a code are tolerated, as apps display "123 456".
        let code = s.code_at(90);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(s.verify(&spaced, 90, None).is_ok());
    }

    #[test]
    fn base32_round_trips_and_the_uri_names_the_account() {
        let s = TotpSecret::from_bytes([7u8; SECRET_BYTES]);
        let text = s.to_base32();
        assert_eq!(
            TotpSecret::from_base32(&text.to_lowercase()),
            Some(s.clone())
        );
        assert!(TotpSecret::from_base32("not base32!").is_none());
        let uri = s.otpauth_uri("Opsdesk", "ana@example.com");
        assert!(uri.starts_with("otpauth://totp/Opsdesk:ana%40example.com?secret="));
        assert!(uri.contains("&digits=6&period=30"));
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
    }
}

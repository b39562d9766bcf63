//! TOTP per RFC 6238 (HMAC-SHA-1, 6 digits, 30-second steps) with one step of drift either way,
//! and refusal of a code whose step was already used. Codes come from the `totp-rs` crate (built
//! without its `std` feature, so nothing here can read the clock); this module owns the secret's
//! text forms, the enrollment URI and the replay rule, which `totp-rs` leaves to its caller.

use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Length of a step in seconds.
pub const STEP_SECONDS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Secret length in bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Shortest secret accepted in bytes: RFC 4226 requires at least 128 bits.
const MIN_SECRET_BYTES: usize = 16;
const _: () = assert!(SECRET_BYTES >= MIN_SECRET_BYTES);

/// A TOTP shared secret, with the code parameters every Opsdesk secret uses.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Totp);

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

/// The code parameters: SHA-1, six digits, 30-second steps, one step of drift either way.
fn builder(secret: Secret) -> Builder {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS as u8)
        .with_step_duration(STEP_SECONDS as u64)
        .with_skew(1)
        .with_secret(secret)
}

/// `totp-rs` counts time from the Unix epoch as unsigned seconds; a clock before 1970 counts as
/// the epoch itself.
fn unsigned_seconds(unix_seconds: i64) -> u64 {
    u64::try_from(unix_seconds).unwrap_or(0)
}

impl TotpSecret {
    /// Wraps raw secret bytes (from a random source chosen by the caller).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        // The length is fixed above the RFC minimum and the other parameters are constants, so
        // the checks `build()` would make cannot fail here.
        TotpSecret(builder(Secret::from(bytes.to_vec())).build_noncompliant())
    }

    /// Parses the base32 form (as shown to people and stored), ignoring spaces and case. Refuses
    /// text that is not base32 and secrets shorter than the 128 bits RFC 4226 requires.
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let secret = Secret::try_from_base32(cleaned.trim_end_matches('=')).ok()?;
        builder(secret).build().ok().map(TotpSecret)
    }

    /// The base32 form without padding.
    pub fn to_base32(&self) -> String {
        self.0.secret().to_base32()
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

    /// The code at `unix_seconds`, zero-padded to six digits.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.0.generate(unsigned_seconds(unix_seconds)).to_string()
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
        let matched = self
            .0
            .check(&code, unsigned_seconds(unix_seconds))
            .ok_or(TotpError::Wrong)?;
        // A step from an `i64` time divided by 30 (plus one of drift) always fits in an `i64`.
        let step = i64::try_from(matched).map_err(|_| TotpError::Wrong)?;
        if last_used_step.is_some_and(|last| step <= last) {
            return Err(TotpError::Replayed);
        }
        Ok(step)
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
        TotpSecret::from_bytes(*b"12345678901234567890")
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
        // The stored text form is unchanged: plain RFC 4648 base32 without padding.
        assert_eq!(text, "A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYH");
        assert_eq!(
            TotpSecret::from_base32("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"),
            Some(rfc_secret())
        );
        let uri = s.otpauth_uri("Opsdesk", "ana@example.com");
        assert!(uri.starts_with("otpauth://totp/Opsdesk:ana%40example.com?secret="));
        assert!(uri.contains("&digits=6&period=30"));
        assert_eq!(format!("{s:?}"), "TotpSecret(<redacted>)");
    }

    #[test]
    fn a_secret_shorter_than_128_bits_is_refused() {
        // 15 bytes of zeros; 16 bytes is the RFC 4226 minimum.
        assert!(TotpSecret::from_base32("AAAAAAAAAAAAAAAAAAAAAAAA").is_none());
        assert!(TotpSecret::from_base32(&"A".repeat(26)).is_some());
    }

    #[test]
    fn the_accepted_step_is_the_step_of_the_code() {
        let s = rfc_secret();
        let t = 1_700_000_000;
        assert_eq!(s.verify(&s.code_at(t), t, None), Ok(step_of(t)));
        assert_eq!(s.verify(&s.code_at(t - 30), t, None), Ok(step_of(t) - 1));
        assert_eq!(s.verify(&s.code_at(t + 30), t, None), Ok(step_of(t) + 1));
    }
}

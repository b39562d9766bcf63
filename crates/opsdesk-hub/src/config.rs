//! Hub configuration, layered: built-in defaults, then a TOML file, then `OPSDESK_*` environment
//! variables (nested keys joined by `__`, e.g. `OPSDESK_AUTH__LOCKOUT_THRESHOLD=3`), then flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the hub can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// `sqlite://...` or `postgres://...`; empty means `sqlite://<data_dir>/hub.sqlite`.
    pub database_url: DatabaseUrl,
    /// Folder for the default SQLite file.
    pub data_dir: PathBuf,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Seconds between rounds of the SLA job (warnings and breaches); 0 turns it off.
    pub sla_job_seconds: u64,
    /// Seconds between a live event stream's checks that its session is still valid (each also
    /// gives the stream's resume point if it moved past events the person may not see); 1 to 30.
    /// It bounds how long a revoked session or a demoted person's open stream keeps receiving
    /// events, hence the low maximum.
    pub stream_check_seconds: u64,
    pub auth: AuthSettings,
    pub access: AccessSettings,
    /// Tests only: check every answer against the OpenAPI document (`conformance`); never read
    /// from the configuration.
    #[serde(skip)]
    pub check_answers: bool,
}

/// Cross-tenant access rules (DESIGN.md "Roles"): the longest grant per scope, how long a request
/// waits for its reviews, and how often the access job ends expired grants and requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSettings {
    pub read_max_minutes: i64,
    pub support_max_minutes: i64,
    pub admin_max_minutes: i64,
    /// Hours a request waits for its reviews before it expires.
    pub pending_hours: i64,
    /// Seconds between rounds of the access job; 0 turns it off (grants still stop working at
    /// their end; the job records the end in the audit trail).
    pub job_seconds: u64,
    /// The platform's password reset page; a reset link is this plus `?token=...`.
    pub reset_link_base: String,
}

impl Default for AccessSettings {
    fn default() -> Self {
        AccessSettings {
            read_max_minutes: 8 * 60,
            support_max_minutes: 4 * 60,
            admin_max_minutes: 60,
            pending_hours: 24,
            job_seconds: 15,
            reset_link_base: "https://app.opsdesk.example/reset-password".into(),
        }
    }
}

impl AccessSettings {
    /// The limits as core's rules take them.
    pub fn limits(&self) -> opsdesk_core::rules::GrantLimits {
        opsdesk_core::rules::GrantLimits {
            read: chrono::Duration::minutes(self.read_max_minutes),
            support: chrono::Duration::minutes(self.support_max_minutes),
            admin: chrono::Duration::minutes(self.admin_max_minutes),
        }
    }
}

/// Sign-in, session and invite rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub lockout_threshold: u32,
    pub lockout_minutes: i64,
    pub invite_hours: i64,
    /// Sign-in attempts per client address: burst, then this many per minute.
    pub sign_in_burst: u32,
    pub sign_in_per_minute: u32,
    /// argon2id memory cost in KiB and iterations.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Issuer name shown in authenticator apps.
    pub totp_issuer: String,
}

/// A database URL whose `Debug` hides any password.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 7300)),
            database_url: DatabaseUrl::default(),
            data_dir: default_data_dir(),
            trust_forwarded_for: false,
            sla_job_seconds: 10,
            stream_check_seconds: 30,
            auth: AuthSettings::default(),
            access: AccessSettings::default(),
            check_answers: false,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_idle_minutes: 240,
            session_absolute_hours: 12,
            lockout_threshold: 5,
            lockout_minutes: 15,
            invite_hours: 72,
            sign_in_burst: 10,
            sign_in_per_minute: 10,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            totp_issuer: "Opsdesk".into(),
        }
    }
}

/// The platform's data folder for Opsdesk (`~/.local/share/opsdesk` on Linux).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("opsdesk")
}

/// Top-level settings that `OPSDESK_<KEY>` variables may set.
const ENV_KEYS: &[&str] = &[
    "bind",
    "database_url",
    "data_dir",
    "trust_forwarded_for",
    "sla_job_seconds",
    "stream_check_seconds",
];

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads defaults, then `file` (if given, it must exist), then `OPSDESK_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        // Only the hub's own keys: other OPSDESK_* variables (the app's OPSDESK_HOME, test
        // settings) belong to other programs. A misspelled `auth` key is still refused.
        figment = figment.merge(
            Env::prefixed("OPSDESK_")
                .filter(|key| {
                    let key = key.as_str().to_ascii_lowercase();
                    ENV_KEYS.contains(&key.as_str())
                        || key.starts_with("auth__")
                        || key.starts_with("access__")
                })
                .split("__")
                .map(|k| k.as_str().to_ascii_lowercase().into()),
        );
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// The database URL to open, filling in the default SQLite file.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.0.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("hub.sqlite").display())
        } else {
            self.database_url.0.trim().to_owned()
        }
    }

    /// Refuses values that would make the hub insecure or unusable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let a = &self.auth;
        let checks: [(bool, &str); 9] = [
            (
                (1..=30).contains(&self.stream_check_seconds),
                "stream_check_seconds must be 1 to 30",
            ),
            (
                a.session_idle_minutes >= 1,
                "auth.session_idle_minutes must be at least 1",
            ),
            (
                a.session_absolute_hours >= 1,
                "auth.session_absolute_hours must be at least 1",
            ),
            (
                a.lockout_threshold >= 1,
                "auth.lockout_threshold must be at least 1",
            ),
            (
                a.lockout_minutes >= 1,
                "auth.lockout_minutes must be at least 1",
            ),
            (
                (1..=24 * 30).contains(&a.invite_hours),
                "auth.invite_hours must be 1 to 720",
            ),
            (
                a.sign_in_burst >= 1 && a.sign_in_per_minute >= 1,
                "auth.sign_in_* must be at least 1",
            ),
            (
                a.argon2_memory_kib >= 8 * 1024,
                "auth.argon2_memory_kib must be at least 8192",
            ),
            (
                a.argon2_iterations >= 1,
                "auth.argon2_iterations must be at least 1",
            ),
        ];
        let x = &self.access;
        let access_checks: [(bool, &str); 5] = [
            (
                (1..=7 * 24 * 60).contains(&x.read_max_minutes)
                    && (1..=7 * 24 * 60).contains(&x.support_max_minutes)
                    && (1..=7 * 24 * 60).contains(&x.admin_max_minutes),
                "access.*_max_minutes must be 1 to 10080 (a week)",
            ),
            (
                x.admin_max_minutes <= x.support_max_minutes
                    && x.support_max_minutes <= x.read_max_minutes,
                "access: admin_max_minutes <= support_max_minutes <= read_max_minutes",
            ),
            (
                (1..=24 * 14).contains(&x.pending_hours),
                "access.pending_hours must be 1 to 336",
            ),
            (
                x.job_seconds <= 3600,
                "access.job_seconds must be at most 3600",
            ),
            (
                url::Url::parse(&x.reset_link_base)
                    .is_ok_and(|u| u.scheme() == "https" || u.scheme() == "http"),
                "access.reset_link_base must be an http(s) URL",
            ),
        ];
        match checks
            .iter()
            .chain(access_checks.iter())
            .find(|(ok, _)| !ok)
        {
            Some((_, msg)) => Err(ConfigError::Invalid((*msg).to_owned())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "hub.toml",
                "bind = \"127.0.0.1:9000\"\n[auth]\nlockout_threshold = 7\n",
            )?;
            jail.set_env("OPSDESK_AUTH__LOCKOUT_MINUTES", "30");
            jail.set_env("OPSDESK_STREAM_CHECK_SECONDS", "5");
            // Variables meant for other programs are not the hub's business.
            jail.set_env("OPSDESK_HOME", "/tmp/elsewhere");
            jail.set_env("OPSDESK_E2E_APP", "/bin/true");
            let s = Settings::load(Some(Path::new("hub.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.bind.port(), 9000);
            assert_eq!(s.auth.lockout_threshold, 7);
            assert_eq!(s.auth.lockout_minutes, 30);
            assert_eq!(s.auth.session_idle_minutes, 240);
            assert_eq!(s.stream_check_seconds, 5);
            assert_eq!(Settings::default().stream_check_seconds, 30);
            Ok(())
        });
    }

    #[test]
    fn bad_values_and_unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("a.toml", "[auth]\nlockout_threshold = 0\n")?;
            let e = Settings::load(Some(Path::new("a.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("lockout_threshold"), "{e}");
            jail.create_file("c.toml", "stream_check_seconds = 0\n")?;
            let e = Settings::load(Some(Path::new("c.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("stream_check_seconds"), "{e}");
            jail.set_env("OPSDESK_AUTH__LOCKOUT_MINUTS", "30");
            let e = Settings::load(None).unwrap_err().to_string();
            assert!(e.contains("lockout_minuts"), "{e}");
            jail.clear_env();
            jail.create_file("b.toml", "bnid = \"x\"\n")?;
            let e = Settings::load(Some(Path::new("b.toml")))
                .unwrap_err()
                .to_string();
            assert!(e.contains("bnid"), "{e}");
            assert!(Settings::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn database_passwords_are_not_printed() {
        let url = DatabaseUrl("postgres://hub:hunter2@db/opsdesk".into());
        assert_eq!(format!("{url:?}"), "postgres://hub:***@db/opsdesk");
    }
}

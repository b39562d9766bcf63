//! The app's own settings (`opsdesk.json` in the config folder): which hub, who signed in last,
//! the idle lock, the notification settings. Written atomically (temp file, then rename) so a
//! crash never leaves half a file; a file that cannot be read is a clear error, never a panic or
//! a silent reset.

use crate::error::ClientError;
use opsdesk_proto::NotificationPrefs;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The settings file's name inside the config folder.
pub const CONFIG_FILE: &str = "opsdesk.json";
/// Idle lock when none was chosen.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;
/// Allowed idle lock range, in minutes (one minute to eight hours).
pub const IDLE_LOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=480;

/// Which hub the app works with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// First launch: nothing chosen yet.
    #[default]
    None,
    /// A team hub, by URL.
    Remote,
    /// The hub running inside the app on a local SQLite file.
    Local,
}

/// What `opsdesk.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    #[serde(default)]
    pub mode: Mode,
    /// The team hub's normalized URL (mode `remote` only).
    #[serde(default)]
    pub hub_url: Option<String>,
    /// Who signed in last on this hub, to prefill sign-in and find the kept session.
    #[serde(default)]
    pub last_username: Option<String>,
    #[serde(default = "default_idle_lock")]
    pub idle_lock_minutes: u32,
    /// Kinds turned off, do-not-disturb hours, paused.
    #[serde(default)]
    pub notifications: NotificationPrefs,
}

fn default_idle_lock() -> u32 {
    DEFAULT_IDLE_LOCK_MINUTES
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            mode: Mode::None,
            hub_url: None,
            last_username: None,
            idle_lock_minutes: DEFAULT_IDLE_LOCK_MINUTES,
            notifications: NotificationPrefs::default(),
        }
    }
}

impl AppConfig {
    /// The settings file in `config_dir`.
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join(CONFIG_FILE)
    }

    /// Reads the settings; defaults when the file does not exist yet.
    pub fn load(config_dir: &Path) -> Result<AppConfig, ClientError> {
        let path = AppConfig::path(config_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AppConfig::default()),
            Err(e) => {
                return Err(ClientError::Storage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        let corrupt = |detail: String| ClientError::CorruptConfig {
            path: path.display().to_string(),
            detail,
        };
        let config: AppConfig = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        config.check().map_err(corrupt)?;
        Ok(config)
    }

    /// Refuses combinations the app cannot work with.
    fn check(&self) -> Result<(), String> {
        if !IDLE_LOCK_RANGE.contains(&self.idle_lock_minutes) {
            return Err(format!(
                "idle_lock_minutes must be {} to {} (got {})",
                IDLE_LOCK_RANGE.start(),
                IDLE_LOCK_RANGE.end(),
                self.idle_lock_minutes
            ));
        }
        let n = &self.notifications;
        if n.quiet_from.is_some() != n.quiet_until.is_some() {
            return Err("notifications: quiet_from and quiet_until go together".into());
        }
        match (self.mode, &self.hub_url) {
            (Mode::Remote, None) => Err("mode is remote but hub_url is missing".into()),
            (Mode::Remote, Some(url)) => crate::api::normalize_hub_url(url)
                .map(|_| ())
                .map_err(|e| format!("hub_url: {e}")),
            _ => Ok(()),
        }
    }

    /// Writes the settings atomically: a temp file in the same folder, flushed, then renamed
    /// over the old one.
    pub fn save(&self, config_dir: &Path) -> Result<(), ClientError> {
        let storage = |what: &str, e: std::io::Error| {
            ClientError::Storage(format!("{what} {}: {e}", config_dir.display()))
        };
        std::fs::create_dir_all(config_dir).map_err(|e| storage("cannot create", e))?;
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| ClientError::Storage(format!("cannot encode settings: {e}")))?;
        let tmp = config_dir.join(format!(".{CONFIG_FILE}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&tmp, AppConfig::path(config_dir))
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            storage("cannot write settings in", e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("opsdesk-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_file_means_first_launch_and_saved_settings_read_back() {
        let dir = temp_dir();
        assert_eq!(AppConfig::load(&dir).unwrap(), AppConfig::default());
        let config = AppConfig {
            mode: Mode::Remote,
            hub_url: Some("https://hub.example.com".into()),
            last_username: Some("ana.agent".into()),
            idle_lock_minutes: 30,
            notifications: NotificationPrefs {
                muted: vec![opsdesk_proto::NotificationKind::SlaBreach],
                quiet_from: chrono::NaiveTime::from_hms_opt(22, 0, 0),
                quiet_until: chrono::NaiveTime::from_hms_opt(7, 0, 0),
                paused: false,
            },
        };
        config.save(&dir).unwrap();
        assert_eq!(AppConfig::load(&dir).unwrap(), config);
        let text = std::fs::read_to_string(AppConfig::path(&dir)).unwrap();
        assert!(text.contains("\"mode\": \"remote\""), "{text}");
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_a_clear_error_naming_the_file() {
        let dir = temp_dir();
        for (text, needle) in [
            ("{\"mode\": \"remote\"", "EOF"),
            ("{\"mode\": \"sideways\"}", "sideways"),
            ("{\"mode\": \"remote\"}", "hub_url is missing"),
            ("{\"idle_lock_minutes\": 0}", "idle_lock_minutes"),
            ("{\"mood\": \"local\"}", "mood"),
            (
                "{\"notifications\": {\"quiet_from\": \"22:00:00\"}}",
                "quiet_until",
            ),
        ] {
            std::fs::write(AppConfig::path(&dir), text).unwrap();
            match AppConfig::load(&dir) {
                Err(ClientError::CorruptConfig { path, detail }) => {
                    assert!(path.ends_with(CONFIG_FILE), "{path}");
                    assert!(detail.contains(needle), "{text}: {detail}");
                }
                other => panic!("{text} was accepted: {other:?}"),
            }
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}

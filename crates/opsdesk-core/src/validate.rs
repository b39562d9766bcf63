//! Validated newtypes for values people type: usernames, display names, email addresses. Each
//! refuses bad input with a message naming the rule, and deserializes through that check. A
//! refused value of a request names its field with [`FieldError`].

use serde::{Deserialize, Serialize};

macro_rules! validated {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, ts_rs::TS)]
        #[ts(export)]
#[serde(try_from = "String", into = "String")]
        #[schema(value_type = String)]
        #[ts(type = "string")]
        pub struct $name(String);

        impl $name {
            /// Validates and normalizes `value`.
            pub fn parse(value: &str) -> Result<Self, String> {
                $check(value).map($name)
            }
            /// The normalized text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

validated!(
    /// A staff username: 3 to 32 characters, lowercase letters, digits, `.`, `_` and `-`,
    /// starting with a letter. Stored lowercased.
    Username,
    check_username
);
validated!(
    /// A display name: 1 to 100 characters after trimming, no control characters.
    DisplayName,
    check_display_name
);
validated!(
    /// An email address: one `@`, a dotted domain, at most 254 characters. Stored lowercased.
    Email,
    check_email
);

/// A value someone gave that breaks a rule: the field (a dotted path for a nested one, such as
/// `saved.tag`) and the rule, worded to be shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {rule}")]
pub struct FieldError {
    pub field: String,
    pub rule: String,
}

impl FieldError {
    /// `field` breaks `rule`.
    pub fn new(field: &str, rule: impl std::fmt::Display) -> Self {
        FieldError {
            field: field.to_owned(),
            rule: rule.to_string(),
        }
    }
}

fn check_username(value: &str) -> Result<String, String> {
    let v = value.trim().to_lowercase();
    let len = v.chars().count();
    if !(3..=32).contains(&len) {
        return Err(format!("must be 3 to 32 characters (got {len})"));
    }
    if !v.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter".into());
    }
    if let Some(bad) = v
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(*c)))
    {
        return Err(format!(
            "may contain only letters, digits, '.', '_' and '-' (found {bad:?})"
        ));
    }
    Ok(v)
}

fn check_display_name(value: &str) -> Result<String, String> {
    let v = value.trim();
    let len = v.chars().count();
    if !(1..=100).contains(&len) {
        return Err(format!("must be 1 to 100 characters (got {len})"));
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

fn check_email(value: &str) -> Result<String, String> {
    let v = value.trim().to_lowercase();
    if v.len() > 254 {
        return Err(format!("must be at most 254 characters (got {})", v.len()));
    }
    let Some((local, domain)) = v.split_once('@') else {
        return Err("must look like name@example.com".into());
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '@');
    if !domain_ok || !local_ok {
        return Err("must look like name@example.com".into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Ana.Lopez ").unwrap().as_str(),
            "ana.lopez"
        );
        assert!(Username::parse("ab").unwrap_err().contains("3 to 32"));
        assert!(Username::parse("1abc")
            .unwrap_err()
            .contains("start with a letter"));
        assert!(Username::parse("ana lopez")
            .unwrap_err()
            .contains("only letters"));
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn display_names_and_emails() {
        assert_eq!(
            DisplayName::parse("  Ana López ").unwrap().as_str(),
            "Ana López"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
        assert_eq!(
            Email::parse("Ana@Example.COM").unwrap().as_str(),
            "ana@example.com"
        );
        for bad in [
            "ana",
            "ana@",
            "@x.io",
            "ana@localhost",
            "a b@x.io",
            "ana@x..io",
            "ana@.x.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deserializing_runs_the_check() {
        let err = serde_json::from_str::<Username>("\"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 to 32"), "{err}");
        let ok: Email = serde_json::from_str("\"ana@example.com\"").unwrap();
        assert_eq!(ok.as_str(), "ana@example.com");
    }
}

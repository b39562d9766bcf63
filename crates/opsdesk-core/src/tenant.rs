//! The tenants directory's rules: a tenant's status, and the checks on its name, slug and plan.

use crate::ticket::named_enum;
use serde::{Deserialize, Serialize};

named_enum!(
    /// Where a tenant stands with the platform.
    TenantStatus { Trial => "trial", Active => "active", Suspended => "suspended", Churned => "churned" }
);

/// A tenant's name: 1 to 120 characters after trimming, no control characters.
pub fn check_tenant_name(value: &str) -> Result<String, String> {
    let v = value.trim();
    let len = v.chars().count();
    if !(1..=120).contains(&len) {
        return Err(format!("must be 1 to 120 characters (got {len})"));
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

/// A slug: 2 to 63 characters of lowercase letters, digits and single `-`, starting with a
/// letter and not ending with `-` (it appears in URLs and on the platform). Stored lowercased.
pub fn check_slug(value: &str) -> Result<String, String> {
    let v = value.trim().to_lowercase();
    let len = v.chars().count();
    if !(2..=63).contains(&len) {
        return Err(format!("must be 2 to 63 characters (got {len})"));
    }
    if !v.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter".into());
    }
    if let Some(bad) = v
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "may contain only letters a-z, digits and '-' (found {bad:?})"
        ));
    }
    if v.ends_with('-') || v.contains("--") {
        return Err("must not end with '-' or contain '--'".into());
    }
    Ok(v)
}

/// A plan name: 1 to 40 characters of letters, digits, `-` and `_`. Stored lowercased.
pub fn check_plan(value: &str) -> Result<String, String> {
    let v = value.trim().to_lowercase();
    let len = v.chars().count();
    if !(1..=40).contains(&len) {
        return Err(format!("must be 1 to 40 characters (got {len})"));
    }
    if let Some(bad) = v
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "may contain only letters, digits, '-' and '_' (found {bad:?})"
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_names_and_plans_are_checked() {
        assert_eq!(check_slug(" Acme-Corp ").unwrap(), "acme-corp");
        for bad in ["a", "1acme", "acme-", "ac--me", "acme corp", "acmé"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
        assert_eq!(check_tenant_name(" Acme, Inc. ").unwrap(), "Acme, Inc.");
        assert!(check_tenant_name("").is_err());
        assert_eq!(check_plan("Enterprise").unwrap(), "enterprise");
        assert!(check_plan("pro plan").is_err());
        assert_eq!(
            TenantStatus::parse("suspended"),
            Some(TenantStatus::Suspended)
        );
    }
}

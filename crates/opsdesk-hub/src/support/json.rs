//! JSON bodies read the hub's way: a malformed body or a bad field becomes an error that names
//! the field and the rule (used by the body extractor and by imports that carry JSON).

use crate::error::HubError;
use serde::de::DeserializeOwned;

/// Parses JSON, naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HubError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return HubError::BadRequest {
                code: "malformed_json",
                message: format!("the body is not valid JSON ({inner})"),
            };
        }
        field_error(&path, &inner.to_string())
    })?;
    de.end().map_err(|e| HubError::BadRequest {
        code: "malformed_json",
        message: format!("the body has content after the JSON value ({e})"),
    })?;
    Ok(value)
}

/// Turns a serde message at `path` into a field error. Messages about a missing or unknown field
/// come with the parent's path; the field's name is taken from the message then.
pub(crate) fn field_error(path: &str, message: &str) -> HubError {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    let named = message.split('`').nth(1).map(str::to_owned);
    if message.starts_with("missing field") {
        let field = join_path(path, named.as_deref().unwrap_or("body"));
        return HubError::field(&field, "is required");
    }
    if message.starts_with("unknown field") {
        // serde_path_to_error already includes the unknown key in the path.
        let name = named.as_deref().unwrap_or("body");
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            join_path(path, name)
        };
        let expected = message
            .split(", expected ")
            .nth(1)
            .unwrap_or("the documented fields");
        return HubError::field(
            &field,
            format!("is not a known field (expected {expected})"),
        );
    }
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    HubError::field(&field, message)
}

fn join_path(parent: &str, name: &str) -> String {
    if parent == "." || parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: u32,
        inner: Option<Inner>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        role: opsdesk_core::Role,
    }

    fn field_of(body: &str) -> (String, String) {
        match parse_json::<Sample>(body.as_bytes()) {
            Err(HubError::InvalidField { field, rule }) => (field, rule),
            Err(other) => (String::from("<other>"), other.to_string()),
            Ok(v) => panic!("accepted {v:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(r#"{"count":1}"#).0, "name");
        assert_eq!(field_of(r#"{"name":"a","count":"x"}"#).0, "count");
        assert_eq!(field_of(r#"{"name":"a","count":1,"extra":1}"#).0, "extra");
        let (field, rule) = field_of(r#"{"name":"a","count":1,"inner":{"role":"root"}}"#);
        assert_eq!(field, "inner.role");
        assert!(rule.contains("unknown variant"), "{rule}");
        assert!(matches!(
            parse_json::<Sample>(b"{not json"),
            Err(HubError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
        assert!(matches!(
            parse_json::<Sample>(br#"{"name":"a","count":1} trailing"#),
            Err(HubError::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
    }
}

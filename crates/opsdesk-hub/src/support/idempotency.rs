//! Idempotency keys: a replayed write with the same key answers with its first result; a key
//! reused for a different request is refused.

use crate::context::IdempotencyKey;
use crate::error::{HubError, HubResult};

use crate::state::AppState;
use chrono::{DateTime, Utc};
use opsdesk_store::IdempotencyDraft;
use serde_json::json;
use uuid::Uuid;

/// A request's idempotency key with the hash of what it asked for.
pub(crate) struct Idem {
    principal: String,
    key: String,
    hash: String,
}

pub(crate) fn idem(
    principal: &str,
    key: &IdempotencyKey,
    op: &str,
    request: &impl serde::Serialize,
) -> Option<Idem> {
    let key = key.0.clone()?;
    let body = serde_json::to_string(request).unwrap_or_default();
    Some(Idem {
        principal: principal.to_owned(),
        key,
        hash: crate::secrets::token_hash(&format!("{op}\u{0}{body}")),
    })
}

/// The ticket a replayed key produced, or `None` when the key is new. A key reused for a
/// different request is refused.
pub(crate) async fn replayed(
    state: &AppState,
    idem: &Option<Idem>,
) -> HubResult<Option<Vec<Uuid>>> {
    let Some(i) = idem else { return Ok(None) };
    let Some(found) = state.store.idempotency_result(&i.principal, &i.key).await? else {
        return Ok(None);
    };
    if found.request_hash != i.hash {
        return Err(HubError::unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request; use a new key",
        ));
    }
    let ids: Vec<Uuid> = serde_json::from_value(found.result["tickets"].clone())
        .map_err(|e| HubError::Internal(format!("idempotency result: {e}")))?;
    Ok(Some(ids))
}

pub(crate) fn idem_draft(
    idem: Option<Idem>,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Option<IdempotencyDraft> {
    idem.map(|i| IdempotencyDraft {
        principal: i.principal,
        key: i.key,
        request_hash: i.hash,
        result: json!({ "tickets": ids }),
        at,
    })
}

//! Integration tokens: issuing, listing, revoking and using them (only their hash is stored).

use super::rows::{TokenRow, TOKEN_COLUMNS};
use crate::audit::write_effects;
use crate::common::{convert_all, convert_opt, ms};
use crate::dialect::{fetch_one, Dialect};
use crate::query::Sql;
use crate::tickets::NewIntegrationToken;
use crate::{Effects, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_proto::IntegrationTokenView;
use uuid::Uuid;

/// Stores a new token.
pub(crate) async fn create<D: Dialect>(
    store: &D,
    token: NewIntegrationToken,
    fx: Effects,
) -> StoreResult<IntegrationTokenView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new(format!(
        "INSERT INTO integration_tokens (id, name, token_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {TOKEN_COLUMNS}"
    ))
    .bind(token.id.to_string())
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(token.created_by.to_string())
    .bind(ms(token.created_at));
    let row: TokenRow = fetch_one::<D, _>(&mut *tx, insert).await?;
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    row.try_into()
}

/// Every token, newest first.
pub(crate) async fn list<D: Dialect>(store: &D) -> StoreResult<Vec<IntegrationTokenView>> {
    let sql = Sql::new(format!(
        "SELECT {TOKEN_COLUMNS} FROM integration_tokens ORDER BY created_at DESC"
    ));
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<TokenRow> = D::fetch_all(&mut conn, sql).await?;
    convert_all(rows)
}

/// Revokes a token not yet revoked; `AlreadyUsed("token_revoked")` when it was.
pub(crate) async fn revoke<D: Dialect>(
    store: &D,
    id: Uuid,
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<IntegrationTokenView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let update = Sql::new(format!(
        "UPDATE integration_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL \
         RETURNING {TOKEN_COLUMNS}"
    ))
    .bind(ms(now))
    .bind(id.to_string());
    let row: Option<TokenRow> = D::fetch_optional(&mut *tx, update).await?;
    let Some(row) = row else {
        let exists =
            Sql::new("SELECT id FROM integration_tokens WHERE id = $1").bind(id.to_string());
        let exists: Option<(String,)> = D::fetch_optional(&mut *tx, exists).await?;
        return Err(match exists {
            Some(_) => StoreError::AlreadyUsed("token_revoked"),
            None => StoreError::NotFound,
        });
    };
    write_effects::<D>(&mut tx, fx).await?;
    tx.commit().await?;
    row.try_into()
}

/// The unrevoked token with this hash, its last use recorded.
pub(crate) async fn use_token<D: Dialect>(
    store: &D,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<IntegrationTokenView>> {
    let update = Sql::new(format!(
        "UPDATE integration_tokens SET last_used_at = $1 \
         WHERE token_hash = $2 AND revoked_at IS NULL RETURNING {TOKEN_COLUMNS}"
    ))
    .bind(ms(now))
    .bind(token_hash);
    let mut conn = store.pool().acquire().await?;
    let row: Option<TokenRow> = D::fetch_optional(&mut conn, update).await?;
    convert_opt(row)
}

//! Ticket groups: creating them, setting their members, reading them, and handing out
//! round-robin turns one at a time across hubs.

use super::rows::groups_from;
use crate::audit::write_effects;
use crate::common::{duplicate_as, ms};
use crate::dialect::{Conn, Dialect, Tx};
use crate::query::Sql;
use crate::{Effects, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use opsdesk_proto::GroupView;
use uuid::Uuid;

/// One group with its members.
async fn view<D: Dialect>(conn: &mut Conn<D>, id: Uuid) -> StoreResult<Option<GroupView>> {
    let sql = Sql::new(
        "SELECT g.id, g.name, m.staff_id FROM ticket_groups g \
         LEFT JOIN group_members m ON m.group_id = g.id WHERE g.id = $1 ORDER BY m.staff_id",
    )
    .bind(id.to_string());
    let rows: Vec<(String, String, Option<String>)> = D::fetch_all(conn, sql).await?;
    Ok(groups_from(rows)?.pop())
}

/// Replaces a group's members; an unknown staff member is `NotFound`.
async fn put_members<D: Dialect>(tx: &mut Tx<D>, id: Uuid, members: &[Uuid]) -> StoreResult<()> {
    let clear = Sql::new("DELETE FROM group_members WHERE group_id = $1").bind(id.to_string());
    D::execute(&mut **tx, clear).await?;
    for m in members {
        let insert = Sql::new("INSERT INTO group_members (group_id, staff_id) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(m.to_string());
        D::execute(&mut **tx, insert).await.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            _ => e.into(),
        })?;
    }
    Ok(())
}

/// Creates a group with its members.
pub(crate) async fn create<D: Dialect>(
    store: &D,
    id: Uuid,
    name: &str,
    members: &[Uuid],
    now: DateTime<Utc>,
    fx: Effects,
) -> StoreResult<GroupView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    let insert = Sql::new("INSERT INTO ticket_groups (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id.to_string())
        .bind(name)
        .bind(ms(now));
    D::execute(&mut *tx, insert)
        .await
        .map_err(duplicate_as("name"))?;
    put_members::<D>(&mut tx, id, members).await?;
    write_effects::<D>(&mut tx, fx).await?;
    let group = view::<D>(&mut tx, id).await?;
    tx.commit().await?;
    group.ok_or(StoreError::NotFound)
}

/// Replaces an existing group's members.
pub(crate) async fn set_members<D: Dialect>(
    store: &D,
    id: Uuid,
    members: &[Uuid],
    fx: Effects,
) -> StoreResult<GroupView> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    if view::<D>(&mut tx, id).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    put_members::<D>(&mut tx, id, members).await?;
    write_effects::<D>(&mut tx, fx).await?;
    let group = view::<D>(&mut tx, id).await?;
    tx.commit().await?;
    group.ok_or(StoreError::NotFound)
}

/// Every group with its members, by name.
pub(crate) async fn list<D: Dialect>(store: &D) -> StoreResult<Vec<GroupView>> {
    let sql = Sql::new(
        "SELECT g.id, g.name, m.staff_id FROM ticket_groups g \
         LEFT JOIN group_members m ON m.group_id = g.id ORDER BY g.name, m.staff_id",
    );
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<(String, String, Option<String>)> = D::fetch_all(&mut conn, sql).await?;
    groups_from(rows)
}

/// One group with its members.
pub(crate) async fn one<D: Dialect>(store: &D, id: Uuid) -> StoreResult<Option<GroupView>> {
    let mut conn = store.pool().acquire().await?;
    view::<D>(&mut conn, id).await
}

/// The active member whose turn it is (least recently assigned), recorded as assigned now.
pub(crate) async fn take_turn<D: Dialect>(
    store: &D,
    group_id: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Option<Uuid>> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    // Turns are taken one at a time across hubs, so concurrent assignments to one group never
    // hand the same turn out twice.
    D::lock_audit(&mut tx).await?;
    let next = Sql::new(
        "SELECT m.staff_id FROM group_members m JOIN staff s ON s.id = m.staff_id \
         WHERE m.group_id = $1 AND s.status = 'active' \
         ORDER BY m.last_assigned_at, m.staff_id LIMIT 1",
    )
    .bind(group_id.to_string());
    let next: Option<(String,)> = D::fetch_optional(&mut *tx, next).await?;
    let Some((next,)) = next else {
        return Ok(None);
    };
    let update = Sql::new(
        "UPDATE group_members SET last_assigned_at = $1 WHERE group_id = $2 AND staff_id = $3",
    )
    .bind(ms(now))
    .bind(group_id.to_string())
    .bind(&next);
    D::execute(&mut *tx, update).await?;
    tx.commit().await?;
    Uuid::parse_str(&next)
        .map(Some)
        .map_err(|_| StoreError::Corrupt(format!("`{next}` is not a UUID")))
}

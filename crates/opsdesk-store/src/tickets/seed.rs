//! Seeding: many tenants and tickets at once for demos and benchmarks, many rows per statement
//! (one statement per row made seeding a million tickets take most of an hour).

use super::writes::{message_args, next_change_seq, state_args, MESSAGE_INSERT, WRITE_COLUMNS};
use super::{NewMessage, SeedBatch};
use crate::common::{duplicate_as, ms};
use crate::dialect::Dialect;
use crate::query::{Arg, Sql};
use crate::{StoreError, StoreResult};
use std::collections::HashMap;
use uuid::Uuid;

/// Stores a batch of tenants and new tickets (version 1, like new tickets written one by one)
/// with their tags, messages and search index.
pub(crate) async fn seed_batch<D: Dialect>(store: &D, batch: SeedBatch) -> StoreResult<()> {
    let _writing = store.write_guard().await;
    let mut tx = store.begin_write().await?;
    D::lock_audit(&mut tx).await?;
    for (id, t, at) in &batch.tenants {
        let insert = Sql::new(
            "INSERT INTO tenants (id, name, name_key, slug, plan, status, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id.to_string())
        .bind(&t.name)
        .bind(t.name.to_lowercase())
        .bind(&t.slug)
        .bind(&t.plan)
        .bind(t.status.as_str())
        .bind(ms(*at));
        D::execute(&mut *tx, insert)
            .await
            .map_err(duplicate_as("slug"))?;
    }
    let first_change = next_change_seq::<D>(&mut tx).await?;
    let mut seqs = HashMap::with_capacity(batch.tickets.len());
    for (n, chunk) in batch.tickets.chunks(500).enumerate() {
        let mut q = Sql::new(format!(
            "INSERT INTO tickets ({WRITE_COLUMNS}, version, change_seq) "
        ));
        q.push_values(chunk.iter().enumerate(), |(i, w)| {
            let mut args = state_args(&w.state);
            args.push(Arg::from(1_i64));
            args.push(Arg::from(first_change + (n * 500 + i) as i64));
            args
        });
        q.push(" RETURNING seq, id");
        let rows: Vec<(i64, String)> = D::fetch_all(&mut *tx, q).await?;
        seqs.extend(rows.into_iter().map(|(seq, id)| (id, seq)));
    }
    let tags: Vec<(&String, String)> = batch
        .tickets
        .iter()
        .flat_map(|w| w.state.tags.iter().map(|t| (t, w.state.id.to_string())))
        .collect();
    for chunk in tags.chunks(2_000) {
        let mut q = Sql::new("INSERT INTO ticket_tags (tag, ticket_id) ");
        q.push_values(chunk, |(tag, id)| vec![Arg::from(*tag), Arg::from(id)]);
        D::execute(&mut *tx, q).await?;
    }
    let messages: Vec<(Uuid, &NewMessage)> = batch
        .tickets
        .iter()
        .flat_map(|w| w.messages.iter().map(|m| (w.state.id, m)))
        .collect();
    for chunk in messages.chunks(1_000) {
        let mut q = Sql::new(MESSAGE_INSERT);
        q.push_values(chunk, |(ticket, m)| message_args(*ticket, m, 1));
        D::execute(&mut *tx, q).await?;
    }
    for w in &batch.tickets {
        let seq = *seqs
            .get(&w.state.id.to_string())
            .ok_or_else(|| StoreError::Corrupt(format!("ticket {} not inserted", w.state.id)))?;
        let mut text = String::new();
        for m in &w.messages {
            text.push_str(&m.body);
            text.push('\n');
        }
        D::index_new_ticket(&mut tx, seq, &w.state.subject, &text).await?;
    }
    tx.commit().await?;
    Ok(())
}

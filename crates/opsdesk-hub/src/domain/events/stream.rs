//! One caller's event stream: the events they may see, resumed after the last one they had.

use super::{wire, PAGE};
use crate::context::Caller;
use crate::domain::auth::authenticate;
use crate::error::HubResult;
use crate::state::AppState;
use opsdesk_proto::HubEvent;
use opsdesk_store::EventRecord;
use std::sync::atomic::Ordering;
use tokio::sync::{broadcast, mpsc};

/// What a stream sends.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    Event(HubEvent),
    /// The resume point is older than the hub keeps: reload, then follow from `last`.
    Resync {
        last: i64,
    },
    /// Nothing to show, but resume after `last` from now on: every event up to it that the
    /// person may see was sent before. Sent as an SSE message with only an `id:` field, which
    /// moves the client's last event id without dispatching anything.
    Position {
        last: i64,
    },
}

/// Opens `caller`'s stream: replays what they may see after `last_id` (or nothing, without
/// one), then follows live. Ends when the session ends or the receiver goes away.
///
/// Opened without `last_id`, the stream first gives the current last event number as its
/// position, so an app that receives no event still has a resume point (rather than replaying
/// from the start next time). After each replay, when the events it went through end with some
/// this person may not see, the stream gives its position again, and so it does while live at
/// each session check (every `stream_check_seconds`) when events it went through since the last
/// id it gave were all ones this person may not see; it never gives one lower than an id already
/// sent, and never one past an event it still has to send.
pub async fn open_stream(
    state: &AppState,
    caller: Caller,
    token: String,
    last_id: Option<i64>,
) -> HubResult<mpsc::Receiver<StreamItem>> {
    let mut live = state.events.subscribe();
    let (tx, rx) = mpsc::channel(256);
    let mut cursor = match last_id {
        None => {
            let last = state.store.last_event_seq().await?;
            let _ = tx.send(StreamItem::Position { last }).await;
            last
        }
        Some(id) => {
            let first = state.store.first_event_seq().await?;
            let last = state.store.last_event_seq().await?;
            // Older than what is kept, or past every event there is (the database was restored
            // from a backup, or the app knew another hub): nothing can be replayed from there.
            // Ids are sent only after their events commit, so a live app is never ahead.
            if (first > 0 && id < first - 1) || id > last {
                let _ = tx.send(StreamItem::Resync { last }).await;
                last
            } else {
                id
            }
        }
    };
    // The last id the app holds: what it sent, the position or resync given, or the last event.
    let mut given = cursor;
    let state = state.clone();
    tokio::spawn(async move {
        state.events.streams.fetch_add(1, Ordering::Relaxed);
        let mut me = caller.staff;
        // At least a second: an interval of zero panics, and settings built in code skip
        // validation.
        let check_every = state.settings.stream_check_seconds.max(1);
        let mut reauth = tokio::time::interval(std::time::Duration::from_secs(check_every));
        reauth.tick().await;
        let mut closing = state.events.closing.subscribe();
        let admits = |e: &EventRecord, me: &opsdesk_store::StaffRecord| {
            e.draft.audience.admits(me.id, me.role)
        };
        'replay: loop {
            // Catch up from the database.
            loop {
                let page = match state.store.events_after(cursor, PAGE).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(error = %e, "event replay failed; closing the stream");
                        break 'replay;
                    }
                };
                let n = page.len();
                for e in page {
                    cursor = e.seq;
                    if admits(&e, &me) {
                        if tx.send(StreamItem::Event(wire(&e))).await.is_err() {
                            break 'replay;
                        }
                        given = e.seq;
                    }
                }
                if n < PAGE as usize {
                    break;
                }
            }
            // Went through events this person may not see: resume after them next time.
            if cursor > given {
                if tx
                    .send(StreamItem::Position { last: cursor })
                    .await
                    .is_err()
                {
                    break 'replay;
                }
                given = cursor;
            }
            // Follow live.
            loop {
                tokio::select! {
                    got = live.recv() => match got {
                        Ok(e) => {
                            if e.seq <= cursor {
                                continue;
                            }
                            if e.seq > cursor + 1 {
                                // Something between was handed out before this stream
                                // subscribed; read it from the database.
                                continue 'replay;
                            }
                            cursor = e.seq;
                            if admits(&e, &me) {
                                if tx.send(StreamItem::Event(wire(&e))).await.is_err() {
                                    break 'replay;
                                }
                                given = e.seq;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => continue 'replay,
                        Err(broadcast::error::RecvError::Closed) => break 'replay,
                    },
                    _ = reauth.tick() => {
                        // A signed-out, revoked or idle session ends its stream; a role change
                        // applies to what follows.
                        match authenticate(&state, &token).await {
                            Ok(c) => me = c.staff,
                            Err(_) => break 'replay,
                        }
                        // Live events this person may not see moved the cursor only; give it,
                        // so a reconnect does not replay them. Every event up to the cursor was
                        // judged (and sent if visible); later ones are still to come.
                        if cursor > given {
                            if tx.send(StreamItem::Position { last: cursor }).await.is_err() {
                                break 'replay;
                            }
                            given = cursor;
                        }
                    }
                    _ = tx.closed() => break 'replay,
                    _ = closing.changed() => break 'replay,
                }
            }
        }
        state.events.streams.fetch_sub(1, Ordering::Relaxed);
    });
    Ok(rx)
}

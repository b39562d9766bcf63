//! Answering a pop-up: Open brings the window forward on the item and marks it read, Deny opens
//! the access request with its deny comment in focus (denying needs a reason), Approve approves
//! the request at its current version and says how it went, in the window and in a pop-up.

use super::inbox::{Inbox, InboxItem};
use super::notifier::{Popup, PopupResponse};
use super::{InboxUpdate, LiveShared, LiveToast, OpenFocus, OpenRequest, ToastTone};
use crate::api::ApiClient;
use crate::cache::Cache;
use crate::error::ClientError;
use opsdesk_core::access::RequestStatus;
use opsdesk_proto::{ReviewAccessRequest, SubjectKind};
use std::sync::Arc;
use uuid::Uuid;

/// What answering a pop-up needs; runs on the notifier's thread.
pub(crate) struct PopupActions {
    pub(crate) api: ApiClient,
    pub(crate) cache: Cache,
    pub(crate) shared: Arc<LiveShared>,
    pub(crate) generation: u64,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) item: InboxItem,
}

impl PopupActions {
    pub(crate) fn on(self, response: PopupResponse) {
        // A pop-up from before a sign-out or a change of person acts on nothing.
        if self.shared.generation() != self.generation {
            return;
        }
        let (Some(subject_kind), Some(subject_id)) = (self.item.subject_kind, self.item.subject_id)
        else {
            return;
        };
        let open = |focus| OpenRequest {
            inbox_id: Some(self.item.id),
            kind: self.item.kind,
            subject_kind,
            subject_id,
            focus,
        };
        match response {
            PopupResponse::Open => {
                self.shared.observer().open(&open(None));
                self.runtime.spawn(mark_read(
                    self.cache.clone(),
                    self.shared.clone(),
                    self.item.id,
                ));
            }
            PopupResponse::Deny => self.shared.observer().open(&open(Some(OpenFocus::Deny))),
            PopupResponse::Approve if subject_kind == SubjectKind::AccessRequest => {
                let runtime = self.runtime.clone();
                runtime.spawn(self.approve(subject_id));
            }
            PopupResponse::Approve | PopupResponse::Closed => {}
        }
    }

    /// Approves the request at its current version, then says how it went.
    async fn approve(self, id: Uuid) {
        let result: Result<(ToastTone, String), ClientError> = async {
            let request = self.api.access_request(id).await?;
            let what = format!(
                "{}'s {} access to {}",
                request.requester.display_name, request.scope, request.tenant.name
            );
            if request.status != RequestStatus::Pending {
                return Ok((
                    ToastTone::Error,
                    format!("{what} was already {}.", request.status),
                ));
            }
            let review = ReviewAccessRequest {
                approve: true,
                comment: None,
                version: request.version,
            };
            let key = Uuid::new_v4().to_string();
            let done = self.api.review_access_request(id, &review, &key).await?;
            Ok(if done.status == RequestStatus::Pending {
                (
                    ToastTone::Success,
                    format!("Approved {what}; it waits for another reviewer."),
                )
            } else {
                (ToastTone::Success, format!("{what}: {}.", done.status))
            })
        }
        .await;
        let (tone, message) = match result {
            Ok(answer) => answer,
            Err(e) => (
                ToastTone::Error,
                format!("Could not approve: {}", e.to_ui().message),
            ),
        };
        tracing::info!(target: "opsdesk::notify", %message, "approved from a pop-up");
        let toast = LiveToast {
            tone,
            message: message.clone(),
        };
        self.shared.observer().toast(&toast);
        if tone == ToastTone::Success {
            mark_read(self.cache.clone(), self.shared.clone(), self.item.id).await;
        }
        // The answer pops up too: the window may be hidden.
        let follow_up = Popup {
            title: if tone == ToastTone::Success {
                "Access request approved".into()
            } else {
                "Access request not approved".into()
            },
            body: message,
            urgency: opsdesk_proto::Urgency::Normal,
            actions: Vec::new(),
        };
        let notifier = self.shared.notifier();
        let shown =
            tokio::task::spawn_blocking(move || notifier.show(follow_up, Box::new(|_| {}))).await;
        if let Ok(Err(why)) = shown {
            tracing::warn!(error = %why, "the approval's answer could not pop up");
        }
    }
}

/// Marks an inbox entry read and tells the shell.
async fn mark_read(cache: Cache, shared: Arc<LiveShared>, id: i64) {
    match Inbox::new(cache).mark_read(Some(&[id])).await {
        Ok(unread) => {
            shared.set_unread(unread);
            shared.observer().inbox(&InboxUpdate {
                unread,
                added: None,
            });
        }
        Err(e) => tracing::warn!(error = %e, "cannot mark the notification read"),
    }
}

//! The calls the signed-in screens make: each needs a session (else `NotSignedIn`), and a hub
//! answer that the session is gone turns into `SessionExpired` with the kept token deleted.
//! The signed-in person and the first page of the staff list are cached for the next start.

use super::Desk;
use crate::api::{ApiClient, SessionToken};
use crate::cache::keys;
use crate::error::ClientError;
use crate::secrets::session_key;
use opsdesk_proto::{
    AuditEntry, AuditQuery, AuditVerification, Capabilities, ChangeRoleRequest, InviteIssued,
    InviteStaffRequest, Me, Page, SecurityEvent, SecurityEventQuery, SessionView, SessionsEnded,
    StaffQuery, StaffView,
};
use std::future::Future;
use uuid::Uuid;

impl Desk {
    /// Runs `call` with the session's client; a dead session is forgotten and reported as
    /// `SessionExpired`.
    pub(super) async fn with_session<T, F, Fut>(&self, call: F) -> Result<T, ClientError>
    where
        F: FnOnce(ApiClient) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let (client, key, token) = {
            let state = self.state.read().await;
            let session = state.session.as_ref().ok_or(ClientError::NotSignedIn)?;
            let api = state.api.as_ref().ok_or(ClientError::NotSignedIn)?;
            let hub_id = self.hub_id_in(&state).ok_or(ClientError::NotSignedIn)?;
            (
                api.with_token(session.token.clone()),
                session_key(&hub_id, &session.username),
                session.token.clone(),
            )
        };
        match call(client).await {
            Err(e) if e.is_session_gone() => {
                self.session_ended(&key, &token).await;
                Err(ClientError::SessionExpired)
            }
            other => other,
        }
    }

    /// Forgets a session the hub no longer accepts (unless another one replaced it meanwhile).
    async fn session_ended(&self, key: &str, token: &SessionToken) {
        let current = {
            let state = self.state.read().await;
            state.session.as_ref().is_some_and(|s| &s.token == token)
        };
        if current {
            self.live_stop().await;
        }
        {
            let mut state = self.state.write().await;
            if state.session.as_ref().is_some_and(|s| &s.token == token) {
                state.session = None;
            }
        }
        if let Err(e) = self.secret_delete(key).await {
            tracing::warn!(error = %e, "could not delete the expired session's token");
        }
    }

    /// The signed-in person, their session and what they may do (refreshed from the hub).
    pub async fn me(&self) -> Result<Me, ClientError> {
        let me = self
            .with_session(|api| async move { api.me().await })
            .await?;
        if let Some(session) = self.state.write().await.session.as_mut() {
            session.me = Some(me.clone());
        }
        self.cache_me(&me).await;
        Ok(me)
    }

    /// The signed-in person as last cached, for showing before the hub answers.
    pub async fn cached_me(&self) -> Option<Me> {
        self.cache.get(keys::ME).await.ok().flatten()
    }

    /// Staff, by username. The unfiltered first page is cached.
    pub async fn list_staff(&self, q: StaffQuery) -> Result<Page<StaffView>, ClientError> {
        let cacheable = q == StaffQuery::default();
        let page = self
            .with_session(|api| async move { api.list_staff(&q).await })
            .await?;
        if cacheable {
            if let Err(e) = self.cache.put(keys::STAFF_LIST, &page).await {
                tracing::warn!(error = %e, "could not cache the staff list");
            }
        }
        Ok(page)
    }

    /// The unfiltered first page of staff as last cached.
    pub async fn cached_staff(&self) -> Option<Page<StaffView>> {
        self.cache.get(keys::STAFF_LIST).await.ok().flatten()
    }

    /// Invites a staff member; the answer holds the one-time invite token to hand over.
    pub async fn invite_staff(&self, req: InviteStaffRequest) -> Result<InviteIssued, ClientError> {
        self.with_session(|api| async move { api.invite_staff(&req).await })
            .await
    }

    /// One staff member.
    pub async fn get_staff(&self, id: Uuid) -> Result<StaffView, ClientError> {
        self.with_session(|api| async move { api.get_staff(id).await })
            .await
    }

    /// Changes a staff member's role at the version last seen.
    pub async fn change_role(
        &self,
        id: Uuid,
        req: ChangeRoleRequest,
    ) -> Result<StaffView, ClientError> {
        self.with_session(|api| async move { api.change_role(id, &req).await })
            .await
    }

    /// Resets a staff member's MFA and password; returns their new invite.
    pub async fn reset_mfa(&self, id: Uuid, version: i64) -> Result<InviteIssued, ClientError> {
        self.with_session(|api| async move { api.reset_mfa(id, version).await })
            .await
    }

    /// Deactivates a staff member; their sessions end at once.
    pub async fn deactivate(&self, id: Uuid, version: i64) -> Result<StaffView, ClientError> {
        self.with_session(|api| async move { api.deactivate(id, version).await })
            .await
    }

    /// What a staff member can do, by the rules the hub enforces.
    pub async fn capabilities(&self, id: Uuid) -> Result<Capabilities, ClientError> {
        self.with_session(|api| async move { api.capabilities(id).await })
            .await
    }

    /// A staff member's open sessions.
    pub async fn staff_sessions(&self, id: Uuid) -> Result<Page<SessionView>, ClientError> {
        self.with_session(|api| async move { api.staff_sessions(id).await })
            .await
    }

    /// Ends every session of a staff member.
    pub async fn end_staff_sessions(&self, id: Uuid) -> Result<SessionsEnded, ClientError> {
        self.with_session(|api| async move { api.end_staff_sessions(id).await })
            .await
    }

    /// My open sessions (`current` marks this app's).
    pub async fn my_sessions(&self) -> Result<Page<SessionView>, ClientError> {
        self.with_session(|api| async move { api.my_sessions().await })
            .await
    }

    /// Ends one session (mine, or anyone's for security officers).
    pub async fn end_session(&self, id: Uuid) -> Result<(), ClientError> {
        self.with_session(|api| async move { api.end_session(id).await })
            .await
    }

    /// The audit trail, newest first.
    pub async fn list_audit(&self, q: AuditQuery) -> Result<Page<AuditEntry>, ClientError> {
        self.with_session(|api| async move { api.list_audit(&q).await })
            .await
    }

    /// Recomputes the audit hash chain on the hub.
    pub async fn verify_audit(&self) -> Result<AuditVerification, ClientError> {
        self.with_session(|api| async move { api.verify_audit().await })
            .await
    }

    /// Security events, newest first.
    pub async fn security_events(
        &self,
        q: SecurityEventQuery,
    ) -> Result<Page<SecurityEvent>, ClientError> {
        self.with_session(|api| async move { api.security_events(&q).await })
            .await
    }
}

//! Signing in and out, and the session kept in the OS keyring: enrollment, the two sign-in steps,
//! restoring the session on start, the idle-lock unlock, and sign-out.

use super::{Desk, Session};
use crate::access::AccessMemory;
use crate::api::{ApiClient, SessionToken};
use crate::cache::keys;
use crate::error::ClientError;
use crate::secrets::session_key;
use opsdesk_proto::{
    EnrollConfirmRequest, EnrollStartRequest, Enrolled, EnrollmentOffer, LoginChallenge,
    LoginRequest, Me, MfaRequest, SignedIn,
};

impl Desk {
    /// Invite step one: sets the password; the offer holds the TOTP secret and its QR code.
    pub async fn enroll_start(
        &self,
        invite_token: &str,
        password: &str,
    ) -> Result<EnrollmentOffer, ClientError> {
        let (api, _) = self.hub().await?;
        api.enroll_start(&EnrollStartRequest {
            invite_token: invite_token.to_owned(),
            password: password.to_owned(),
        })
        .await
    }

    /// Invite step two: confirms the authenticator. On success the session is kept in the
    /// keyring and the desk is signed in. The returned session token is blanked: it stays in
    /// the core and never reaches the UI.
    pub async fn enroll_confirm(
        &self,
        invite_token: &str,
        code: &str,
    ) -> Result<Enrolled, ClientError> {
        let _changing = self.changes.lock().await;
        let (api, hub_id) = self.hub().await?;
        let mut enrolled = api
            .enroll_confirm(&EnrollConfirmRequest {
                invite_token: invite_token.to_owned(),
                code: code.trim().to_owned(),
            })
            .await?;
        let signed_in = enrolled.signed_in.clone();
        enrolled.signed_in.token = String::new();
        self.adopt_session(&api, &hub_id, signed_in).await?;
        Ok(enrolled)
    }

    /// Sign-in step one: username and password. Answers with the challenge for step two.
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &str,
    ) -> Result<LoginChallenge, ClientError> {
        let (api, _) = self.hub().await?;
        api.login(&LoginRequest {
            username: username.trim().to_owned(),
            password: password.to_owned(),
        })
        .await
    }

    /// Sign-in step two: a TOTP code or a recovery code. Keeps the session in the keyring (by hub
    /// and username) and remembers the username.
    pub async fn sign_in_mfa(
        &self,
        challenge: &str,
        code: Option<&str>,
        recovery_code: Option<&str>,
    ) -> Result<Me, ClientError> {
        let _changing = self.changes.lock().await;
        let (api, hub_id) = self.hub().await?;
        let signed_in = api
            .login_mfa(&MfaRequest {
                challenge: challenge.to_owned(),
                code: code.map(|c| c.trim().to_owned()),
                recovery_code: recovery_code.map(|c| c.trim().to_owned()),
            })
            .await?;
        self.adopt_session(&api, &hub_id, signed_in).await
    }

    /// Signs back in with the session kept for the last username on this hub. `Ok(None)` when
    /// there is none; `Err(SessionExpired)` (and the kept token deleted) when the hub no longer
    /// accepts it. Offline, the session is kept with the last known `Me` (so the app can show
    /// cached data and retry later) and the error is `Unreachable`.
    pub async fn restore_session(&self) -> Result<Option<Me>, ClientError> {
        let _changing = self.changes.lock().await;
        let Ok((api, hub_id)) = self.hub().await else {
            return Ok(None);
        };
        let Some(username) = self.state.read().await.config.last_username.clone() else {
            return Ok(None);
        };
        let key = session_key(&hub_id, &username);
        let Some(token) = self.secret_get(&key).await? else {
            return Ok(None);
        };
        let token = SessionToken::new(token);
        match api.with_token(token.clone()).me().await {
            Ok(me) => {
                self.cache_me(&me).await;
                self.state.write().await.session = Some(Session {
                    username,
                    token,
                    me: Some(me.clone()),
                    access: AccessMemory::default(),
                });
                self.live_start().await;
                Ok(Some(me))
            }
            Err(e) if e.is_session_gone() => {
                self.state.write().await.session = None;
                self.secret_delete(&key).await?;
                Err(ClientError::SessionExpired)
            }
            // Offline (or a proxy answering for a hub that is down): keep the session.
            Err(e @ (ClientError::Unreachable { .. } | ClientError::Protocol { .. })) => {
                let cached: Option<Me> = self.cache.get(keys::ME).await.ok().flatten();
                let me = cached.filter(|m| m.staff.username == username);
                self.state.write().await.session = Some(Session {
                    username,
                    token,
                    me,
                    access: AccessMemory::default(),
                });
                // It reconnects (and replays what was missed) once the hub answers.
                self.live_start().await;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Signs out: ends the session on the hub (skipped when it cannot be reached), deletes the
    /// kept token and wipes the local cache.
    pub async fn sign_out(&self) -> Result<(), ClientError> {
        let _changing = self.changes.lock().await;
        self.sign_out_here().await
    }

    /// Idle lock: proves the person is still there with a TOTP code for the current session.
    pub async fn reauthenticate(&self, code: &str) -> Result<(), ClientError> {
        let req = opsdesk_proto::ReauthenticateRequest {
            code: code.trim().to_owned(),
        };
        self.with_session(|api| async move { api.reauthenticate(&req).await })
            .await
    }

    /// Takes a new session: fetches `Me`, keeps the token in the keyring, remembers the
    /// username, and caches `Me`. If the keyring refuses, the new session is ended on the hub so
    /// no token is left that nothing holds.
    async fn adopt_session(
        &self,
        api: &ApiClient,
        hub_id: &str,
        signed_in: SignedIn,
    ) -> Result<Me, ClientError> {
        let token = SessionToken::new(signed_in.token);
        let authed = api.with_token(token.clone());
        let me = match authed.me().await {
            Ok(me) => me,
            Err(e) => {
                let _ = authed.logout().await;
                return Err(e);
            }
        };
        let username = me.staff.username.clone();
        let key = session_key(hub_id, &username);
        if let Err(e) = self.secret_set(&key, token.expose()).await {
            let _ = authed.logout().await;
            return Err(e);
        }
        let previous = {
            let mut state = self.state.write().await;
            let mut next = state.config.clone();
            next.last_username = Some(username.clone());
            if let Err(e) = next.save(&self.paths.config_dir) {
                tracing::warn!(error = %e, "could not remember the username");
            } else {
                state.config = next;
            }
            state.session.replace(Session {
                username: username.clone(),
                token,
                me: Some(me.clone()),
                access: AccessMemory::default(),
            })
        };
        if let Some(old) = previous.filter(|old| old.username != username) {
            let _ = api.with_token(old.token).logout().await;
            if let Err(e) = self
                .secret_delete(&session_key(hub_id, &old.username))
                .await
            {
                tracing::warn!(error = %e, "could not delete the previous session's token");
            }
        }
        // Another person's cached screens must not show for this one.
        let cached: Option<Me> = self.cache.get(keys::ME).await.ok().flatten();
        if cached.is_some_and(|c| c.staff.id != me.staff.id) {
            if let Err(e) = self.cache.wipe().await {
                tracing::warn!(error = %e, "could not wipe the previous person's cache");
            }
        }
        self.cache_me(&me).await;
        self.live_start().await;
        Ok(me)
    }

    /// Signs out without taking the change lock (the caller holds it).
    pub(super) async fn sign_out_here(&self) -> Result<(), ClientError> {
        self.live_stop().await;
        let (session, api, hub_id, last_username) = {
            let mut state = self.state.write().await;
            let hub_id = self.hub_id_in(&state);
            (
                state.session.take(),
                state.api.clone(),
                hub_id,
                state.config.last_username.clone(),
            )
        };
        if let (Some(s), Some(api)) = (&session, &api) {
            match api.with_token(s.token.clone()).logout().await {
                Ok(()) | Err(ClientError::Unreachable { .. }) => {}
                Err(e) if e.is_session_gone() => {}
                Err(e) => tracing::warn!(error = %e, "the hub refused to end the session"),
            }
        }
        let username = session.map(|s| s.username).or(last_username);
        let deleted = match (hub_id, username) {
            (Some(hub_id), Some(username)) => {
                self.secret_delete(&session_key(&hub_id, &username)).await
            }
            _ => Ok(()),
        };
        self.cache.wipe().await?;
        self.live_forget();
        deleted
    }

    /// Caches the signed-in person; a failure only costs the next start its head start.
    pub(super) async fn cache_me(&self, me: &Me) {
        if let Err(e) = self.cache.put(keys::ME, me).await {
            tracing::warn!(error = %e, "could not cache the signed-in person");
        }
    }

    async fn secret_get(&self, key: &str) -> Result<Option<String>, ClientError> {
        let (store, key) = (self.secrets.clone(), key.to_owned());
        blocking(move || store.get(&key)).await
    }

    async fn secret_set(&self, key: &str, secret: &str) -> Result<(), ClientError> {
        let (store, key, secret) = (self.secrets.clone(), key.to_owned(), secret.to_owned());
        blocking(move || store.set(&key, &secret)).await
    }

    pub(super) async fn secret_delete(&self, key: &str) -> Result<(), ClientError> {
        let (store, key) = (self.secrets.clone(), key.to_owned());
        blocking(move || store.delete(&key)).await
    }
}

/// Keyring calls may block on D-Bus: run them off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ClientError> + Send + 'static,
) -> Result<T, ClientError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ClientError::Keyring(format!("the keyring call did not finish: {e}")))?
}

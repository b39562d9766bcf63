//! The access screens' calls: the policy, requests and reviews, grants, clearance, the tenant in
//! scope, and the tenant data a grant opens. What people type is checked here first with the
//! core's rules (naming the field); the hub decides the rest. Nothing here touches the cache:
//! requests and grants are held in memory for the session, tenant data not at all.

use super::Desk;
use crate::access::{AccessMemory, TenantScope, GRANT_GONE_CODES};
use crate::api::{ApiClient, SessionToken};
use crate::error::ClientError;
use chrono::Utc;
use opsdesk_core::access::{check_comment, check_reason, check_start};
use opsdesk_proto::{
    AccessExportQuery, AccessPolicyView, AccessRequestQuery, AccessRequestView,
    ChangeTenantUserRole, ClearanceView, CreateAccessRequest, GrantQuery, GrantView, Page,
    PasswordResetIssued, RecordClearanceRequest, ReviewAccessRequest, RevokeGrantRequest,
    TenantSettingsView, TenantSignInView, TenantUserQuery, TenantUserView, UpdateTenantSettings,
};
use std::future::Future;
use uuid::Uuid;

/// Longest tenant user search, in characters.
const USER_SEARCH_MAX: usize = 200;

/// A fresh idempotency key for one write.
fn key() -> String {
    Uuid::new_v4().to_string()
}

impl Desk {
    // ---- policy and requests -------------------------------------------------------------------

    /// The rules as they apply to me: each scope's maximum and approvals, whether I may request
    /// it, my clearance, and who could review my request.
    pub async fn access_policy(&self) -> Result<AccessPolicyView, ClientError> {
        self.with_session(|api| async move { api.access_policy().await })
            .await
    }

    /// Asks for access to a tenant. The reason, duration and start are checked here first.
    pub async fn create_access_request(
        &self,
        mut request: CreateAccessRequest,
    ) -> Result<AccessRequestView, ClientError> {
        request.reason = check_reason(&request.reason)
            .map_err(|message| ClientError::invalid("reason", message))?;
        if request.duration_minutes < 1 {
            return Err(ClientError::invalid(
                "duration_minutes",
                "must be at least one minute",
            ));
        }
        request.start_at = check_start(request.start_at, Utc::now())
            .map_err(|message| ClientError::invalid("start_at", message))?;
        let key = key();
        self.with_session(|api| async move { api.create_access_request(&request, &key).await })
            .await
    }

    /// Access requests, newest first: mine, those I may review, or all of them.
    pub async fn access_requests(
        &self,
        query: AccessRequestQuery,
    ) -> Result<Page<AccessRequestView>, ClientError> {
        self.with_session(|api| async move { api.access_requests(&query).await })
            .await
    }

    /// One access request with its reviews and grant.
    pub async fn access_request(&self, id: Uuid) -> Result<AccessRequestView, ClientError> {
        self.with_session(|api| async move { api.access_request(id).await })
            .await
    }

    /// Approves or denies a request at the version seen; denying needs a comment.
    pub async fn review_access_request(
        &self,
        id: Uuid,
        mut review: ReviewAccessRequest,
    ) -> Result<AccessRequestView, ClientError> {
        review.comment = check_comment(review.comment.as_deref(), !review.approve)
            .map_err(|message| ClientError::invalid("comment", message))?;
        let key = key();
        self.with_session(|api| async move { api.review_access_request(id, &review, &key).await })
            .await
    }

    /// Cancels one of my pending requests at the version seen.
    pub async fn cancel_access_request(
        &self,
        id: Uuid,
        version: i64,
    ) -> Result<AccessRequestView, ClientError> {
        let key = key();
        self.with_session(|api| async move { api.cancel_access_request(id, version, &key).await })
            .await
    }

    /// The decided requests as JSON Lines or CSV, for an auditor to save.
    pub async fn export_access_requests(
        &self,
        query: AccessExportQuery,
    ) -> Result<String, ClientError> {
        self.with_session(|api| async move { api.export_access_requests(&query).await })
            .await
    }

    // ---- grants --------------------------------------------------------------------------------

    /// Grants: mine, or everyone's (security officers and admins); `current` leaves out ended
    /// ones. My current grants also refresh what the tenant switcher knows.
    pub async fn grants(&self, query: GrantQuery) -> Result<Vec<GrantView>, ClientError> {
        let mine_now = !query.all && query.current && query.tenant_id.is_none();
        let (holder, token) = self.access_holder().await?;
        let grants = self
            .with_session(|api| async move { api.grants(&query).await })
            .await?;
        if mine_now {
            let listed = grants.clone();
            self.with_access(&token, |m| m.refresh(holder, listed, Utc::now()))
                .await;
        }
        Ok(grants)
    }

    /// Ends one of my grants now; its tenant leaves scope if nothing else opens it.
    pub async fn release_grant(&self, id: Uuid) -> Result<GrantView, ClientError> {
        let (holder, token) = self.access_holder().await?;
        let key = key();
        let grant = self
            .with_session(|api| async move { api.release_grant(id, &key).await })
            .await?;
        self.with_access(&token, |m| m.update(holder, &grant, Utc::now()))
            .await;
        Ok(grant)
    }

    /// Ends someone's grant with a reason (security officers and admins).
    pub async fn revoke_grant(&self, id: Uuid, reason: String) -> Result<GrantView, ClientError> {
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(ClientError::invalid(
                "reason",
                "is required: say why the grant is revoked",
            ));
        }
        let (holder, token) = self.access_holder().await?;
        let key = key();
        let req = RevokeGrantRequest { reason };
        let grant = self
            .with_session(|api| async move { api.revoke_grant(id, &req, &key).await })
            .await?;
        self.with_access(&token, |m| m.update(holder, &grant, Utc::now()))
            .await;
        Ok(grant)
    }

    // ---- clearance -----------------------------------------------------------------------------

    /// A staff member's onboarding clearance.
    pub async fn clearance(&self, staff_id: Uuid) -> Result<ClearanceView, ClientError> {
        self.with_session(|api| async move { api.clearance(staff_id).await })
            .await
    }

    /// Records a staff member's onboarding clearance (admins) at the version seen.
    pub async fn record_clearance(
        &self,
        staff_id: Uuid,
        request: RecordClearanceRequest,
    ) -> Result<ClearanceView, ClientError> {
        let key = key();
        self.with_session(|api| async move { api.record_clearance(staff_id, &request, &key).await })
            .await
    }

    // ---- the tenant in scope -------------------------------------------------------------------

    /// The tenant switcher: my current grants from the hub (as last heard when it cannot be
    /// reached), the tenant in scope and the grant that opens it. A tenant whose access ended
    /// leaves scope and is named once in `ended`.
    pub async fn tenant_scope(&self) -> Result<TenantScope, ClientError> {
        let (holder, token) = self.access_holder().await?;
        self.refresh_my_grants(holder, &token).await?;
        self.with_access(&token, |m| m.scope(holder, Utc::now()))
            .await
            .ok_or(ClientError::NotSignedIn)
    }

    /// Puts a tenant's data in scope (or none, with `None`). Refused with the hub's code
    /// (`no_active_grant`, `grant_not_started`, ...) when none of my grants opens it now.
    pub async fn select_tenant(&self, tenant_id: Option<Uuid>) -> Result<TenantScope, ClientError> {
        let (holder, token) = self.access_holder().await?;
        if tenant_id.is_some() {
            // A grant approved a moment ago must work at once.
            self.refresh_my_grants(holder, &token).await?;
        }
        self.with_access(&token, |m| {
            let now = Utc::now();
            m.select(holder, tenant_id, now)?;
            Ok(m.scope(holder, now))
        })
        .await
        .ok_or(ClientError::NotSignedIn)?
    }

    // ---- tenant data (the tenant in scope only; never cached) ----------------------------------

    /// The tenant's users, by name or email prefix, a page at a time.
    pub async fn tenant_users(
        &self,
        tenant_id: Uuid,
        mut query: TenantUserQuery,
    ) -> Result<Page<TenantUserView>, ClientError> {
        query.q = query
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        if query
            .q
            .as_ref()
            .is_some_and(|q| q.chars().count() > USER_SEARCH_MAX)
        {
            return Err(ClientError::invalid(
                "q",
                format!("must be at most {USER_SEARCH_MAX} characters"),
            ));
        }
        self.with_tenant(tenant_id, |api| async move {
            api.tenant_users(tenant_id, &query).await
        })
        .await
    }

    /// One tenant user.
    pub async fn tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<TenantUserView, ClientError> {
        self.with_tenant(tenant_id, |api| async move {
            api.tenant_user(tenant_id, user_id).await
        })
        .await
    }

    /// A tenant user's sign-in history, newest first (a `support` grant).
    pub async fn tenant_user_sign_ins(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<Vec<TenantSignInView>, ClientError> {
        self.with_tenant(tenant_id, |api| async move {
            api.tenant_user_sign_ins(tenant_id, user_id).await
        })
        .await
    }

    /// Issues a one-time password reset link for a tenant user (a `support` grant).
    pub async fn reset_tenant_user_password(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
    ) -> Result<PasswordResetIssued, ClientError> {
        let key = key();
        self.with_tenant(tenant_id, |api| async move {
            api.reset_tenant_user_password(tenant_id, user_id, &key)
                .await
        })
        .await
    }

    /// Unlocks a locked tenant user at the version seen (a `support` grant).
    pub async fn unlock_tenant_user(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        version: i64,
    ) -> Result<TenantUserView, ClientError> {
        let key = key();
        self.with_tenant(tenant_id, |api| async move {
            api.unlock_tenant_user(tenant_id, user_id, version, &key)
                .await
        })
        .await
    }

    /// Changes a tenant user's role at the version seen (a `support` grant).
    pub async fn change_tenant_user_role(
        &self,
        tenant_id: Uuid,
        user_id: Uuid,
        request: ChangeTenantUserRole,
    ) -> Result<TenantUserView, ClientError> {
        let key = key();
        self.with_tenant(tenant_id, |api| async move {
            api.change_tenant_user_role(tenant_id, user_id, &request, &key)
                .await
        })
        .await
    }

    /// The tenant's own settings (an `admin` grant).
    pub async fn tenant_settings(
        &self,
        tenant_id: Uuid,
    ) -> Result<TenantSettingsView, ClientError> {
        self.with_tenant(tenant_id, |api| async move {
            api.tenant_settings(tenant_id).await
        })
        .await
    }

    /// Changes the tenant's settings at the version seen (an `admin` grant).
    pub async fn update_tenant_settings(
        &self,
        tenant_id: Uuid,
        request: UpdateTenantSettings,
    ) -> Result<TenantSettingsView, ClientError> {
        let key = key();
        self.with_tenant(tenant_id, |api| async move {
            api.update_tenant_settings(tenant_id, &request, &key).await
        })
        .await
    }

    // ---- internals -----------------------------------------------------------------------------

    /// Who holds grants in this session, and the session's token (to find its memory again).
    async fn access_holder(&self) -> Result<(Uuid, SessionToken), ClientError> {
        let known = {
            let state = self.state.read().await;
            let session = state.session.as_ref().ok_or(ClientError::NotSignedIn)?;
            (
                session.me.as_ref().map(|me| me.staff.id),
                session.token.clone(),
            )
        };
        match known {
            (Some(id), token) => Ok((id, token)),
            (None, token) => Ok((self.me().await?.staff.id, token)),
        }
    }

    /// Runs `f` on the access memory of the session holding `token`; `None` when that session
    /// ended meanwhile (its memory went with it).
    async fn with_access<R>(
        &self,
        token: &SessionToken,
        f: impl FnOnce(&mut AccessMemory) -> R,
    ) -> Option<R> {
        let mut state = self.state.write().await;
        let session = state.session.as_mut().filter(|s| &s.token == token)?;
        Some(f(&mut session.access))
    }

    /// Reads my current grants from the hub into memory; offline, memory stays as it was.
    async fn refresh_my_grants(
        &self,
        holder: Uuid,
        token: &SessionToken,
    ) -> Result<(), ClientError> {
        let query = GrantQuery {
            all: false,
            current: true,
            tenant_id: None,
        };
        match self
            .with_session(|api| async move { api.grants(&query).await })
            .await
        {
            Ok(grants) => {
                self.with_access(token, |m| m.refresh(holder, grants, Utc::now()))
                    .await;
                Ok(())
            }
            Err(ClientError::Unreachable { .. } | ClientError::Protocol { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Runs a tenant data call for the tenant in scope. A refusal for want of a grant takes the
    /// tenant out of scope, so the switcher and the portal close together.
    async fn with_tenant<T, F, Fut>(&self, tenant_id: Uuid, call: F) -> Result<T, ClientError>
    where
        F: FnOnce(ApiClient) -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let (_, token) = self.access_holder().await?;
        self.with_access(&token, |m| m.gate(tenant_id))
            .await
            .ok_or(ClientError::NotSignedIn)??;
        let result = self.with_session(call).await;
        if let Err(ClientError::Api(e)) = &result {
            if e.status == 403 && GRANT_GONE_CODES.contains(&e.code.as_str()) {
                self.with_access(&token, |m| m.denied(tenant_id)).await;
            }
        }
        result
    }
}

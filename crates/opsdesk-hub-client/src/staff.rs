//! Staff (directory, invites, roles, MFA reset, deactivation, capabilities, sessions) and the
//! audit trail.

use crate::{routes, HubClient, HubResult};
use opsdesk_proto::{
    AuditEntry, AuditExportQuery, AuditQuery, AuditVerification, Capabilities, ChangeRoleRequest,
    InviteIssued, InviteStaffRequest, Page, SecurityEvent, SecurityEventQuery, SessionView,
    SessionsEnded, StaffQuery, StaffView, VersionedRequest,
};
use reqwest::Method;
use uuid::Uuid;

impl HubClient {
    /// `GET /api/v1/staff`.
    pub async fn list_staff(&self, q: &StaffQuery) -> HubResult<Page<StaffView>> {
        self.send_json(self.get_query(routes::STAFF, q)).await
    }

    /// `POST /api/v1/staff`.
    pub async fn invite_staff(&self, req: &InviteStaffRequest) -> HubResult<InviteIssued> {
        self.send_json(self.json(Method::POST, routes::STAFF, req))
            .await
    }

    /// `GET /api/v1/staff/{id}`.
    pub async fn get_staff(&self, id: Uuid) -> HubResult<StaffView> {
        self.send_json(self.get(&routes::staff_member(id))).await
    }

    /// `PUT /api/v1/staff/{id}/role`.
    pub async fn change_role(&self, id: Uuid, req: &ChangeRoleRequest) -> HubResult<StaffView> {
        self.send_json(self.json(Method::PUT, &routes::staff_role(id), req))
            .await
    }

    /// `POST /api/v1/staff/{id}/mfa-reset`.
    pub async fn reset_mfa(&self, id: Uuid, req: &VersionedRequest) -> HubResult<InviteIssued> {
        self.send_json(self.json(Method::POST, &routes::staff_mfa_reset(id), req))
            .await
    }

    /// `POST /api/v1/staff/{id}/deactivate`.
    pub async fn deactivate(&self, id: Uuid, req: &VersionedRequest) -> HubResult<StaffView> {
        self.send_json(self.json(Method::POST, &routes::staff_deactivate(id), req))
            .await
    }

    /// `GET /api/v1/staff/{id}/capabilities`.
    pub async fn capabilities(&self, id: Uuid) -> HubResult<Capabilities> {
        self.send_json(self.get(&routes::staff_capabilities(id)))
            .await
    }

    /// `GET /api/v1/staff/{id}/sessions`.
    pub async fn staff_sessions(&self, id: Uuid) -> HubResult<Page<SessionView>> {
        self.send_json(self.get(&routes::staff_sessions(id))).await
    }

    /// `DELETE /api/v1/staff/{id}/sessions`.
    pub async fn end_staff_sessions(&self, id: Uuid) -> HubResult<SessionsEnded> {
        self.send_json(self.request(Method::DELETE, &routes::staff_sessions(id)))
            .await
    }

    /// `GET /api/v1/audit`.
    pub async fn list_audit(&self, q: &AuditQuery) -> HubResult<Page<AuditEntry>> {
        self.send_json(self.get_query(routes::AUDIT, q)).await
    }

    /// `GET /api/v1/audit/export`: JSON lines or CSV, as text.
    pub async fn export_audit(&self, q: &AuditExportQuery) -> HubResult<String> {
        self.send_text(self.get_query(routes::AUDIT_EXPORT, q))
            .await
    }

    /// `POST /api/v1/audit/verify`.
    pub async fn verify_audit(&self) -> HubResult<AuditVerification> {
        self.send_json(self.request(Method::POST, routes::AUDIT_VERIFY))
            .await
    }

    /// `GET /api/v1/security-events`.
    pub async fn security_events(&self, q: &SecurityEventQuery) -> HubResult<Page<SecurityEvent>> {
        self.send_json(self.get_query(routes::SECURITY_EVENTS, q))
            .await
    }
}

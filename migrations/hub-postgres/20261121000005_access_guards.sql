-- One pending request per requester, tenant and scope (the hub checks first; this settles a
-- race between two submissions).
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (requester_id, tenant_id, scope)
    WHERE status = 'pending';
-- Grants about to end whose holder has not been warned yet.
ALTER TABLE grants ADD COLUMN expiry_warned BIGINT NOT NULL DEFAULT 0;

-- The history of access is not the hub's to delete.
REVOKE DELETE ON access_requests, access_reviews, grants, staff_clearance, security_events
    FROM opsdesk_hub;

-- A sign-in or reset row names a user of its own tenant: foreign keys ignore row-level security,
-- so they must carry the tenant too.
ALTER TABLE tenant_users ADD CONSTRAINT tenant_users_tenant_id_unique UNIQUE (tenant_id, id);
ALTER TABLE tenant_user_sign_ins ADD CONSTRAINT tenant_user_sign_ins_same_tenant
    FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_users (tenant_id, id);
ALTER TABLE tenant_password_resets ADD CONSTRAINT tenant_password_resets_same_tenant
    FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_users (tenant_id, id);

-- One pending request per requester, tenant and scope (the hub checks first; this settles a
-- race between two submissions).
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (requester_id, tenant_id, scope)
    WHERE status = 'pending';
-- Grants about to end whose holder has not been warned yet.
ALTER TABLE grants ADD COLUMN expiry_warned BIGINT NOT NULL DEFAULT 0;

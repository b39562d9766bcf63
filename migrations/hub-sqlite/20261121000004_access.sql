-- Cross-tenant access: onboarding clearance, access requests and their reviews, grants, and the
-- tenant data grants open (tenant users, their sign-ins and password resets, tenant settings).
-- Ids are UUID text; times are Unix milliseconds; booleans are 0/1.

CREATE TABLE staff_clearance (
    staff_id            TEXT PRIMARY KEY REFERENCES staff (id),
    nda_at              BIGINT,
    background_check_at BIGINT,
    training_at         BIGINT,
    recorded_by         TEXT REFERENCES staff (id),
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE access_requests (
    seq              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    requester_id     TEXT NOT NULL REFERENCES staff (id),
    requester_tier   BIGINT NOT NULL,
    scope            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    start_at         BIGINT,
    ticket_id        TEXT,
    status           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    decided_at       BIGINT,
    version          BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT access_requests_id_unique UNIQUE (id)
);
CREATE INDEX access_requests_requester ON access_requests (requester_id, seq);
CREATE INDEX access_requests_tenant ON access_requests (tenant_id, seq);
CREATE INDEX access_requests_status ON access_requests (status, seq);
CREATE INDEX access_requests_expiry ON access_requests (expires_at) WHERE status = 'pending';

CREATE TABLE access_reviews (
    request_id  TEXT NOT NULL REFERENCES access_requests (id),
    reviewer_id TEXT NOT NULL REFERENCES staff (id),
    approved    BIGINT NOT NULL,
    comment     TEXT,
    at          BIGINT NOT NULL,
    PRIMARY KEY (request_id, reviewer_id)
);

CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL REFERENCES access_requests (id),
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    holder_id      TEXT NOT NULL REFERENCES staff (id),
    scope          TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    start_recorded BIGINT NOT NULL DEFAULT 0,
    ended_at       BIGINT,
    end_reason     TEXT,
    ended_by       TEXT REFERENCES staff (id),
    end_comment    TEXT,
    CONSTRAINT grants_request_unique UNIQUE (request_id)
);
CREATE INDEX grants_holder ON grants (holder_id, tenant_id, ends_at);
CREATE INDEX grants_tenant ON grants (tenant_id, starts_at);
CREATE INDEX grants_to_end ON grants (ends_at) WHERE ended_at IS NULL;
CREATE INDEX grants_to_start ON grants (starts_at) WHERE start_recorded = 0;

-- Tenant data: readable only under a grant for the tenant (see the row-level security below on
-- PostgreSQL; the hub's proof types on both).
CREATE TABLE tenant_users (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    status          TEXT NOT NULL,
    mfa_enabled     BIGINT NOT NULL DEFAULT 0,
    last_sign_in_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT tenant_users_email_unique UNIQUE (tenant_id, email)
);
CREATE INDEX tenant_users_by_name ON tenant_users (tenant_id, name_key, id);

CREATE TABLE tenant_user_sign_ins (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    user_id    TEXT NOT NULL REFERENCES tenant_users (id),
    at         BIGINT NOT NULL,
    success    BIGINT NOT NULL,
    address    TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX tenant_user_sign_ins_by_user ON tenant_user_sign_ins (user_id, at);

CREATE TABLE tenant_password_resets (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    user_id    TEXT NOT NULL REFERENCES tenant_users (id),
    token_hash TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    voided_at  BIGINT,
    used_at    BIGINT,
    CONSTRAINT tenant_password_resets_hash_unique UNIQUE (token_hash)
);
CREATE INDEX tenant_password_resets_by_user ON tenant_password_resets (user_id);

CREATE TABLE tenant_settings (
    tenant_id               TEXT PRIMARY KEY REFERENCES tenants (id),
    sso_required            BIGINT NOT NULL,
    mfa_required            BIGINT NOT NULL,
    session_timeout_minutes BIGINT NOT NULL,
    ip_allowlist            TEXT NOT NULL,
    data_retention_days     BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    version                 BIGINT NOT NULL DEFAULT 1
);

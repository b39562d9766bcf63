-- The ticket queue: tenants directory, integration tokens, groups, SLA policies, tickets with
-- their conversation, history, tags, search index, saved filters, presence and idempotency keys.
-- Ids are UUID text; times are Unix milliseconds.

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    slug       TEXT NOT NULL,
    plan       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT tenants_slug_unique UNIQUE (slug)
);
CREATE INDEX tenants_name_key ON tenants (name_key);

CREATE TABLE integration_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES staff (id),
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    CONSTRAINT integration_tokens_hash_unique UNIQUE (token_hash)
);

CREATE TABLE ticket_groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT ticket_groups_name_unique UNIQUE (name)
);

CREATE TABLE group_members (
    group_id         TEXT NOT NULL REFERENCES ticket_groups (id),
    staff_id         TEXT NOT NULL REFERENCES staff (id),
    -- Round-robin: the member whose last assignment is oldest goes next.
    last_assigned_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, staff_id)
);

CREATE TABLE sla_policies (
    priority               TEXT PRIMARY KEY,
    first_response_minutes BIGINT NOT NULL,
    resolution_minutes     BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1
);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes, updated_at) VALUES
    ('critical', 15, 240, 0), ('high', 60, 480, 0), ('medium', 240, 1440, 0), ('low', 480, 4320, 0);

CREATE TABLE tickets (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    requester_name     TEXT NOT NULL,
    requester_email    TEXT NOT NULL,
    subject            TEXT NOT NULL,
    status             TEXT NOT NULL,
    -- 1 while new, open, pending or on hold: every queue view but one filters on it.
    is_open            BIGINT NOT NULL,
    priority_rank      BIGINT NOT NULL,
    assignee_id        TEXT REFERENCES staff (id),
    group_id           TEXT REFERENCES ticket_groups (id),
    -- Tags as ' a b ' (space separated, padded) for display; ticket_tags indexes them.
    tags               TEXT NOT NULL DEFAULT ' ',
    escalation_level   BIGINT NOT NULL DEFAULT 1,
    sla_active_ms      BIGINT NOT NULL DEFAULT 0,
    sla_running_since  BIGINT,
    sla_stage          TEXT NOT NULL,
    sla_state          TEXT NOT NULL,
    sla_due_at         BIGINT,
    -- sla_due_at, or the largest BIGINT when nothing is due, so the queue sorts on one column.
    sla_due_sort       BIGINT NOT NULL,
    -- When the SLA job must look at the ticket next.
    sla_check_at       BIGINT,
    first_responded_at BIGINT,
    solved_at          BIGINT,
    merged_into        TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    -- Position in the changes feed: every write takes the next number, in commit order.
    change_seq         BIGINT NOT NULL,
    CONSTRAINT tickets_id_unique UNIQUE (id)
);
CREATE INDEX tickets_open_due ON tickets (is_open, sla_due_sort, seq);
CREATE INDEX tickets_open_priority ON tickets (is_open, priority_rank, sla_due_sort, seq);
CREATE INDEX tickets_open_updated ON tickets (is_open, updated_at, seq);
CREATE INDEX tickets_assignee ON tickets (assignee_id, is_open, sla_due_sort);
CREATE INDEX tickets_tenant ON tickets (tenant_id, is_open, updated_at);
CREATE INDEX tickets_group ON tickets (group_id, is_open);
CREATE INDEX tickets_escalated ON tickets (escalation_level, is_open);
CREATE INDEX tickets_change_seq ON tickets (change_seq);
CREATE INDEX tickets_sla_check ON tickets (sla_check_at) WHERE sla_check_at IS NOT NULL;

CREATE TABLE ticket_tags (
    tag       TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (tag, ticket_id)
);
CREATE INDEX ticket_tags_ticket ON ticket_tags (ticket_id);

CREATE TABLE ticket_messages (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id),
    kind        TEXT NOT NULL,
    author_id   TEXT REFERENCES staff (id),
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    -- The ticket version this message produced, so a conflict can show what was added since.
    made_version BIGINT NOT NULL,
    merged_from TEXT
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, created_at);

CREATE TABLE ticket_history (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    version    BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    changes    TEXT NOT NULL,
    PRIMARY KEY (ticket_id, version)
);

CREATE TABLE saved_filters (
    id         TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    sort       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT saved_filters_name_unique UNIQUE (staff_id, name)
);

CREATE TABLE ticket_presence (
    ticket_id  TEXT NOT NULL REFERENCES tickets (id),
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    mode       TEXT NOT NULL,
    since      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
);

-- A write carrying an idempotency key records its result here in the same transaction, so a
-- replay returns the first result instead of writing again.
CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);

-- Full-text search: one row per ticket (rowid = tickets.seq), subject and conversation.
CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, tokenize = 'porter unicode61');

-- The ticket queue in the app: the tickets the hub's changes feed delivered (so every queue view
-- reads locally, offline too), where the feed was last read, the outbox of writes waiting for
-- the hub, and the tickets last opened with their conversation. Ids are UUID text; times are
-- Unix milliseconds. Sign-out deletes it all.

-- One row per ticket, the columns of a TicketSummary. Views filter and sort like the hub's:
-- `number` is the hub's internal order and breaks ties.
CREATE TABLE tickets (
    id               TEXT PRIMARY KEY NOT NULL,
    number           BIGINT NOT NULL,
    tenant_id        TEXT NOT NULL,
    tenant_name      TEXT NOT NULL,
    requester_name   TEXT NOT NULL,
    requester_email  TEXT NOT NULL,
    subject          TEXT NOT NULL,
    status           TEXT NOT NULL,
    -- 1 while new, open, pending or on hold: every view but one filters on it.
    is_open          BIGINT NOT NULL,
    priority_rank    BIGINT NOT NULL,
    assignee_id      TEXT,
    assignee_name    TEXT,
    group_id         TEXT,
    group_name       TEXT,
    -- A JSON array of tags; ticket_tags indexes them.
    tags             TEXT NOT NULL,
    escalation_level BIGINT NOT NULL,
    sla_due_at       BIGINT,
    -- sla_due_at, or the largest BIGINT when nothing is due, so views sort on one column.
    sla_due_sort     BIGINT NOT NULL,
    sla_stage        TEXT NOT NULL,
    sla_state        TEXT NOT NULL,
    sla_paused       BIGINT NOT NULL,
    merged_into      TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    -- When the app first saw the ticket finished (the feed does not carry the hub's solved
    -- time); recently_solved reads it.
    solved_at        BIGINT,
    version          BIGINT NOT NULL,
    change_seq       BIGINT NOT NULL
);
CREATE INDEX tickets_open_due ON tickets (is_open, sla_due_sort, number);
CREATE INDEX tickets_open_priority ON tickets (is_open, priority_rank, sla_due_sort, number);
CREATE INDEX tickets_open_updated ON tickets (is_open, updated_at, number);
CREATE INDEX tickets_assignee_due ON tickets (assignee_id, is_open, sla_due_sort, number);
CREATE INDEX tickets_escalation_due ON tickets (escalation_level, is_open, sla_due_sort, number);
CREATE INDEX tickets_tenant_due ON tickets (tenant_id, is_open, sla_due_sort, number);
CREATE INDEX tickets_solved ON tickets (solved_at);

-- Tags by ticket, kept by the triggers below from tickets.tags.
CREATE TABLE ticket_tags (
    tag       TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    PRIMARY KEY (tag, ticket_id)
) WITHOUT ROWID;
CREATE INDEX ticket_tags_ticket ON ticket_tags (ticket_id);

CREATE TRIGGER tickets_tags_inserted AFTER INSERT ON tickets BEGIN
    INSERT OR IGNORE INTO ticket_tags (tag, ticket_id)
        SELECT value, NEW.id FROM json_each(NEW.tags);
END;
CREATE TRIGGER tickets_tags_updated AFTER UPDATE OF tags ON tickets
WHEN OLD.tags IS NOT NEW.tags BEGIN
    DELETE FROM ticket_tags WHERE ticket_id = OLD.id;
    INSERT OR IGNORE INTO ticket_tags (tag, ticket_id)
        SELECT value, NEW.id FROM json_each(NEW.tags);
END;
CREATE TRIGGER tickets_tags_deleted AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_tags WHERE ticket_id = OLD.id;
END;

-- Where the changes feed was last read (one row).
CREATE TABLE sync_cursor (
    id        BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    next      BIGINT NOT NULL,
    -- When a sync last caught up with the hub.
    synced_at BIGINT
);

-- Writes waiting for the hub, sent in id order, each once: the idempotency key is made when
-- the write is queued and sent on every retry, so a retry after a lost answer is not applied
-- twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       TEXT NOT NULL,
    ticket_number   BIGINT NOT NULL,
    ticket_subject  TEXT NOT NULL,
    -- The version the person saw.
    base_version    BIGINT NOT NULL,
    -- The version to send when it is not base_version: after this app's own earlier write to
    -- the ticket went through, or after "send anyway".
    send_version    BIGINT,
    -- A TicketAction as JSON.
    action          TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- waiting, conflict or refused.
    state           TEXT NOT NULL,
    -- A UiError as JSON, for conflict and refused.
    error           TEXT,
    -- A TicketConflict as JSON, for conflict.
    conflict        TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX outbox_ticket ON outbox (ticket_id, id);

-- Tickets last opened, with their conversation (a TicketDetail as JSON), for reading offline.
CREATE TABLE ticket_details (
    ticket_id  TEXT PRIMARY KEY NOT NULL,
    json       TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);
CREATE INDEX ticket_details_fetched ON ticket_details (fetched_at);

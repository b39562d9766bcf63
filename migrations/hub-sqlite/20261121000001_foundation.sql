-- Staff, invites, sign-in, sessions, the audit chain and security events.
-- Ids are UUID text; times are Unix milliseconds; roles, statuses and kinds are stable names.

CREATE TABLE staff (
    id              TEXT PRIMARY KEY NOT NULL,
    username        TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    status          TEXT NOT NULL,
    password_hash   TEXT,
    totp_secret     TEXT,
    totp_last_step  BIGINT,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT staff_username_unique UNIQUE (username)
);
CREATE INDEX staff_role_status ON staff (role, status);

CREATE TABLE invites (
    id                   TEXT PRIMARY KEY NOT NULL,
    token_hash           TEXT NOT NULL,
    staff_id             TEXT NOT NULL REFERENCES staff (id),
    kind                 TEXT NOT NULL,
    created_by           TEXT,
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    used_at              BIGINT,
    staged_password_hash TEXT,
    staged_totp_secret   TEXT
);
CREATE UNIQUE INDEX invites_token_hash ON invites (token_hash);
CREATE INDEX invites_staff_id ON invites (staff_id);

CREATE TABLE recovery_codes (
    staff_id  TEXT NOT NULL REFERENCES staff (id),
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE login_challenges (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX login_challenges_staff_id ON login_challenges (staff_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at     BIGINT,
    ended_reason TEXT,
    client_addr  TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_staff_id ON sessions (staff_id, created_at);

-- seq is assigned by the store (last + 1), never by the database, so a gap means a deletion.
-- INTEGER PRIMARY KEY makes seq the rowid: verification scans the table in key order.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE security_events (
    id            TEXT PRIMARY KEY NOT NULL,
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    -- 0 info .. 4 critical, so a minimum severity filters in SQL.
    severity_rank BIGINT NOT NULL,
    staff_id      TEXT,
    actor         TEXT NOT NULL,
    client_addr   TEXT NOT NULL,
    summary       TEXT NOT NULL,
    details       TEXT NOT NULL
);
CREATE INDEX security_events_at_id ON security_events (at, id);
CREATE INDEX security_events_kind ON security_events (kind, at, id);
CREATE INDEX security_events_severity ON security_events (severity_rank, at, id);

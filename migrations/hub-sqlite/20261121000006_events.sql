-- The live event stream: every change that apps should hear about, in commit order (`seq` is
-- taken under the same lock as the audit trail's), kept for a day so an app that reconnects
-- resumes where it left off. `audience` says who may receive it (JSON of
-- `opsdesk_core::events::Audience`), `facts` what decides pop-ups (JSON of `EventFacts`).
CREATE TABLE events (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    actor_id     TEXT,
    audience     TEXT NOT NULL,
    facts        TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);

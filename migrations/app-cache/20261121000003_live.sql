-- Live events in the app: where the hub's event stream stands (so a restart resumes where the
-- last run stopped), and the in-app inbox of every notification meant for the signed-in person,
-- shown as a pop-up or not. Times are Unix milliseconds. Sign-out deletes it all.

-- One row. `last_id` is the last event handled (NULL before the first); `floor_at` is the hub's
-- time when the stream first opened for this session: older events are never notified.
CREATE TABLE event_cursor (
    id       BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    last_id  BIGINT,
    floor_at BIGINT NOT NULL
);

-- A notification. `event_id` makes a replayed event land once; NULL for the app's own notes.
-- `delivery` says whether it popped up and, if not, why (paused, muted, quiet, missed, ...).
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     BIGINT UNIQUE,
    at           BIGINT NOT NULL,
    kind         TEXT,
    urgency      TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    subject_kind TEXT,
    subject_id   TEXT,
    actions      TEXT NOT NULL,
    delivery     TEXT NOT NULL,
    read         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX inbox_unread ON inbox (read, id);

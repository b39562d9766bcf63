-- The desktop app's local cache: JSON documents by key (the signed-in person, the last staff
-- list, ...), so the app opens on what it last saw. Everything here can be fetched again from the
-- hub; sign-out deletes it all.
CREATE TABLE documents (
    key        TEXT PRIMARY KEY NOT NULL,
    json       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

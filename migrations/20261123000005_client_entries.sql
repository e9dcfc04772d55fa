-- The client files we configured, so `clients repair` (and the app on start) can put back an entry
-- that a client wiped or that points at a moved binary. One row per client file.
CREATE TABLE client_entries (
    client_id     TEXT NOT NULL,
    path          TEXT NOT NULL,
    -- The project folder for project-level files (`--workspace DIR`); NULL for the user's file.
    workspace     TEXT,
    command       TEXT NOT NULL,
    configured_at TEXT NOT NULL,
    PRIMARY KEY (client_id, path)
) STRICT;

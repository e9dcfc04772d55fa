-- The last time each AI app connected to a server of ours (`serve --client <id>`, from the entry we
-- wrote), with what its handshake said: Health compares it with `client_entries.configured_at` to
-- tell a client that was set up but never started us, and the app shows who offered sampling.
CREATE TABLE client_connections (
    client_id         TEXT PRIMARY KEY,
    last_connected_at TEXT NOT NULL,
    client_name       TEXT NOT NULL,
    client_version    TEXT NOT NULL,
    sampling          INTEGER NOT NULL
) STRICT;

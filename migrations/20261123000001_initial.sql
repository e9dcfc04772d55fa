-- The first schema of llmgen.db: settings, templates, personas, contexts and their messages.
-- Landed migrations are never edited: add a new file instead.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,               -- JSON
    updated_at TEXT NOT NULL
);

-- Which built-in rows were seeded once, so that a deleted built-in does not come back on its own.
CREATE TABLE builtin_seeds (
    kind      TEXT NOT NULL,                -- 'template' | 'persona'
    name      TEXT NOT NULL,
    seeded_at TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);

CREATE TABLE templates (
    name          TEXT PRIMARY KEY NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    user_message  TEXT NOT NULL,
    parameters    TEXT NOT NULL DEFAULT '[]', -- JSON array of {name, description, required, default}
    builtin       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE personas (
    name               TEXT PRIMARY KEY NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    system_prompt      TEXT NOT NULL,
    personality        TEXT NOT NULL DEFAULT '',
    temperature        REAL,
    max_tokens         INTEGER,
    max_history_tokens INTEGER,
    expiry_days        INTEGER,
    builtin            INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE contexts (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    persona            TEXT,                -- the persona it was created from, kept as a name (personas may be deleted)
    system_prompt      TEXT NOT NULL DEFAULT '',
    personality        TEXT NOT NULL DEFAULT '',
    temperature        REAL NOT NULL,
    max_tokens         INTEGER NOT NULL,
    max_history_tokens INTEGER NOT NULL,
    expiry_days        INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    last_activity_at   TEXT NOT NULL,
    expires_at         TEXT NOT NULL,       -- last_activity_at + expiry_days; refreshed on activity
    message_count      INTEGER NOT NULL DEFAULT 0 -- kept by the triggers below, so no COUNT(*) per request
);
CREATE INDEX contexts_by_activity ON contexts (last_activity_at DESC);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    context_id     TEXT NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    role           TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content        TEXT NOT NULL,
    token_estimate INTEGER NOT NULL,
    model          TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX messages_by_context ON messages (context_id, id);

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE contexts SET message_count = message_count + 1 WHERE id = NEW.context_id;
END;
CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE contexts SET message_count = message_count - 1 WHERE id = OLD.context_id;
END;

-- The associative memory (crates/core/src/memory/): notes that the user and personas keep, their
-- tags and links, a full-text index, and a feed of every change.

-- A note. `owner` is a persona's name, or NULL for the user. `permission` says what other
-- personas may do: 'private' (nothing), 'shared' (read), 'editable' (read and write).
-- AUTOINCREMENT: a deleted note's id is never given to another (the feed, clients and old calls
-- name notes by id).
CREATE TABLE memories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array, as given; memory_tags indexes them
    owner       TEXT,
    permission  TEXT NOT NULL CHECK (permission IN ('private', 'shared', 'editable')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- The id the note had in the TypeScript server's shared memory, when it was imported from
    -- there: calls written for that server keep naming notes by it.
    imported_id TEXT UNIQUE
) STRICT;
CREATE INDEX memories_by_update ON memories (updated_at);
CREATE INDEX memories_by_owner ON memories (owner, updated_at);

-- A note's tags, stored as given (trimmed) and compared case-insensitively.
CREATE TABLE memory_tags (
    tag        TEXT NOT NULL COLLATE NOCASE,
    memory_id  INTEGER NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, memory_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memory_tags_by_memory ON memory_tags (memory_id);

-- A directed link with a relation label ("supports", "see also"); shown from both ends.
CREATE TABLE memory_links (
    from_id     INTEGER NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    to_id       INTEGER NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    relation    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, relation)
) STRICT, WITHOUT ROWID;
CREATE INDEX memory_links_by_target ON memory_links (to_id);

-- The full-text index, rowid = memories.id. Contentless (the text lives in `memories`; snippets
-- are cut from it in Rust). `cjk` holds the character bigrams of the Chinese, Japanese and Korean
-- runs of title, content and tags, computed in Rust: unicode61 would index a run without spaces
-- as one long token, and the trigram tokenizer cannot find a two-character word such as 東京.
CREATE VIRTUAL TABLE memory_fts USING fts5 (
    title, content, tags, cjk,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Ranking: bm25 with title words weighing most, then tags (columns title, content, tags, cjk).
INSERT INTO memory_fts (memory_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0, 2.0, 1.0)');

-- Every change, in order: the feed that personas and other server processes read from a cursor
-- (`seq`). Owner and permission are those after the change (before it, for a deletion), so a
-- reader sees only the changes of notes it could read.
CREATE TABLE memory_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id   INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted', 'linked', 'unlinked')),
    actor       TEXT,
    owner       TEXT,
    permission  TEXT NOT NULL,
    title       TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

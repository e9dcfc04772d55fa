-- The team (crates/core/src/team/): personas form a tree with roles, expertise and restrictions,
-- and delegate tasks to each other. A delegation is a record of who asked whom to do what, how it
-- went and what came back.

-- Where a persona stands in the team. `parent` names another persona (NULL: a root); a cycle is
-- refused by the code that writes it. `role` says what it may do (team::roles). `expertise` and
-- `restrictions` are JSON arrays of strings; restrictions are rules its contexts always follow,
-- and its descendants inherit them.
ALTER TABLE personas ADD COLUMN parent TEXT;
ALTER TABLE personas ADD COLUMN role TEXT NOT NULL DEFAULT 'assistant'
    CHECK (role IN ('lead', 'specialist', 'assistant', 'reviewer', 'observer'));
ALTER TABLE personas ADD COLUMN expertise TEXT NOT NULL DEFAULT '[]';
ALTER TABLE personas ADD COLUMN restrictions TEXT NOT NULL DEFAULT '[]';
CREATE INDEX personas_parent ON personas(parent);

-- One delegated task. `from_persona` NULL: the user delegated. Names are kept as text, not
-- foreign keys: a record outlives the personas it names. `status` moves
-- pending -> running -> done | failed | cancelled (or pending -> cancelled); only a running
-- record becomes done, in the same transaction that stores the exchange in its context, so a
-- cancelled delegation never stores a result.
CREATE TABLE delegations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    from_persona   TEXT,
    to_persona     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('task', 'review')),
    task           TEXT NOT NULL,
    expertise      TEXT NOT NULL DEFAULT '[]',   -- JSON array: what the delegator asked for
    priority       TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    choice         TEXT NOT NULL,                -- JSON: why this persona (team::choose)
    context_id     TEXT,                         -- the context the task ran in
    result         TEXT,
    error          TEXT,
    route          TEXT,
    model          TEXT,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT
);
CREATE INDEX delegations_status ON delegations(status, id);
CREATE INDEX delegations_to ON delegations(to_persona, id);
CREATE INDEX delegations_from ON delegations(from_persona, id);

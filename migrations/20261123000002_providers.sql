-- Direct providers, usage accounting and monthly budgets.
-- API keys are never stored here: they live in the OS keychain (service dev.llmgen.desktop,
-- account provider:<name>).

CREATE TABLE providers (
    name         TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('anthropic', 'openai', 'openai-compatible')),
    base_url     TEXT NOT NULL,             -- includes the API version path, e.g. https://api.openai.com/v1
    model        TEXT NOT NULL,             -- used when a call names no model
    timeout_secs INTEGER NOT NULL DEFAULT 120,
    retries      INTEGER NOT NULL DEFAULT 2, -- extra attempts after a 429, a 5xx or a dropped connection
    is_default   INTEGER NOT NULL DEFAULT 0,
    builtin      INTEGER NOT NULL DEFAULT 0, -- anthropic and openai: can be changed, not removed
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- At most one default provider.
CREATE UNIQUE INDEX providers_one_default ON providers (is_default) WHERE is_default = 1;

INSERT INTO providers (name, kind, base_url, model, is_default, builtin, created_at, updated_at) VALUES
    ('anthropic', 'anthropic', 'https://api.anthropic.com/v1', 'claude-sonnet-4-5', 1, 1,
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    ('openai', 'openai', 'https://api.openai.com/v1', 'gpt-4o-mini', 0, 1,
     strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- One row per UTC day, provider, model and outcome: a counter, not a row per call.
CREATE TABLE usage_daily (
    day           TEXT NOT NULL,             -- YYYY-MM-DD (UTC)
    provider      TEXT NOT NULL,             -- kept as a name: a removed provider's history stays
    model         TEXT NOT NULL,
    outcome       TEXT NOT NULL,             -- ok | key-rejected | model-not-found | rate-limited | timeout | network | error
    calls         INTEGER NOT NULL DEFAULT 0,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms    INTEGER NOT NULL DEFAULT 0, -- summed; divide by calls for the mean
    PRIMARY KEY (day, provider, model, outcome)
);

-- A monthly budget per provider, in tokens (input + output) or in currency (priced by model_prices).
CREATE TABLE budgets (
    provider      TEXT PRIMARY KEY NOT NULL,
    unit          TEXT NOT NULL CHECK (unit IN ('tokens', 'currency')),
    monthly_limit REAL NOT NULL CHECK (monthly_limit > 0),
    updated_at    TEXT NOT NULL
);

-- Prices per million tokens, in the currency the user budgets in.
CREATE TABLE model_prices (
    provider        TEXT NOT NULL,
    model           TEXT NOT NULL,
    input_per_mtok  REAL NOT NULL CHECK (input_per_mtok >= 0),
    output_per_mtok REAL NOT NULL CHECK (output_per_mtok >= 0),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (provider, model)
);

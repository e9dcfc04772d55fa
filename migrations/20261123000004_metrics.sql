-- Tool-call and generation metrics. Each server process counts in memory and adds its counts
-- here periodically and at exit, in one transaction of upserts: never a row per call.

-- One row per UTC day and tool.
CREATE TABLE tool_calls_daily (
    day        TEXT NOT NULL,              -- YYYY-MM-DD (UTC)
    tool       TEXT NOT NULL,
    calls      INTEGER NOT NULL DEFAULT 0,
    errors     INTEGER NOT NULL DEFAULT 0, -- results with isError and protocol errors
    latency_us INTEGER NOT NULL DEFAULT 0, -- summed; divide by calls for the mean
    PRIMARY KEY (day, tool)
);

-- The latency histogram of tool_calls_daily: calls per bucket. Bucket numbers are defined by
-- crates/core/src/metrics.rs (log-linear, 4 buckets per doubling) and never change meaning.
CREATE TABLE tool_latency_daily (
    day    TEXT NOT NULL,
    tool   TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    calls  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tool, bucket)
);

-- Generations served per UTC day and route ("sampling" or a direct provider's name).
CREATE TABLE generations_daily (
    day   TEXT NOT NULL,
    route TEXT NOT NULL,
    calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, route)
);

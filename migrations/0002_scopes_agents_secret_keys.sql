-- Token scopes limited to environments, the resolved client in the audit log, the fleet of
-- pollers, application secret keys, and the time each signing key entered its state.

-- Space-separated environment names the token may reach; NULL reaches every environment.
ALTER TABLE api_tokens ADD COLUMN environments TEXT;

-- The client address resolved through Perimeter's own proxy settings, beside the socket peer.
ALTER TABLE audit_log ADD COLUMN client TEXT;

CREATE INDEX audit_log_environment_version ON audit_log (environment, version_after);

-- The latest report of each poller: what it applied, or why it failed.
CREATE TABLE agents (
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    agent_id        TEXT NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 128),
    hostname        TEXT,
    applied_version INTEGER CHECK (applied_version >= 0),
    last_error      TEXT,
    last_report_at  TEXT NOT NULL,
    peer            TEXT,
    PRIMARY KEY (environment_id, agent_id)
) WITHOUT ROWID;

-- The app's SECRET_KEY and the older keys it still accepts. Values are sealed with AES-256-GCM under
-- the master key, with the key id as associated data. The table keeps its rowid, which orders keys by
-- insertion when several are created within one second.
CREATE TABLE secret_keys (
    id             TEXT PRIMARY KEY,
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('active', 'verify_only', 'retired')),
    sealed_value   BLOB,
    fingerprint    TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('generated', 'imported')),
    created_at     TEXT NOT NULL,
    verify_until   TEXT,
    retired_at     TEXT
);

-- At most one active key per environment.
CREATE UNIQUE INDEX secret_keys_one_active ON secret_keys (environment_id) WHERE state = 'active';

ALTER TABLE signing_keys ADD COLUMN state_since TEXT;
UPDATE signing_keys SET state_since = created_at;

-- Environments, their policy sections, signed bundles, signing keys, API tokens and the audit log.
-- Times are RFC 3339 UTC text ("2026-12-04T19:44:50Z"); digests are lower-case hex.

CREATE TABLE environments (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 63),
    created_at      TEXT NOT NULL,
    -- A deleted environment keeps its row so that a re-created one continues its version sequence:
    -- pollers that still hold a bundle of the old one would otherwise see the new versions as a rollback.
    deleted_at      TEXT,
    current_version INTEGER NOT NULL DEFAULT 0 CHECK (current_version >= 0)
);

-- One row per environment and section, holding the section's canonical JSON document.
CREATE TABLE policy_sections (
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    section        TEXT NOT NULL CHECK (section IN ('ip_allowlist', 'trusted_proxies', 'cookies', 'egress')),
    document       TEXT NOT NULL,
    changed_in     INTEGER NOT NULL CHECK (changed_in >= 1),
    PRIMARY KEY (environment_id, section)
) WITHOUT ROWID;

-- Every published bundle, byte for byte as served.
CREATE TABLE bundles (
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CHECK (version >= 1),
    issued_at      TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    envelope       BLOB NOT NULL,
    PRIMARY KEY (environment_id, version)
) WITHOUT ROWID;

CREATE TABLE signing_keys (
    key_id             TEXT PRIMARY KEY,
    algorithm          TEXT NOT NULL CHECK (algorithm = 'ed25519'),
    public_key_der     BLOB NOT NULL,
    -- AES-256-GCM under the master key, with the key id as associated data.
    sealed_private_key BLOB NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired')),
    created_at         TEXT NOT NULL
) WITHOUT ROWID;

-- Only the SHA-256 of each token is stored; the token itself is shown once.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    token_id       TEXT,
    actor          TEXT NOT NULL,
    peer           TEXT,
    action         TEXT NOT NULL,
    environment    TEXT,
    version_before INTEGER,
    version_after  INTEGER,
    change_sha256  TEXT
);

CREATE INDEX audit_log_environment_at ON audit_log (environment, at);

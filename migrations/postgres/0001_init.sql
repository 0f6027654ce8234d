-- The bridge's own store (PostgreSQL). JSON documents are kept as text so both backends share one query set.
CREATE TABLE user_extras (
    scim_id TEXT PRIMARY KEY,
    manager_id TEXT,
    doc TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_extras_manager ON user_extras (manager_id);

CREATE TABLE inactive_invites (
    scim_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL UNIQUE,
    external_id TEXT UNIQUE,
    given_name TEXT,
    family_name TEXT,
    extra TEXT NOT NULL,
    team_member_id TEXT,
    deactivated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE id_aliases (
    scim_id TEXT PRIMARY KEY,
    team_member_id TEXT NOT NULL UNIQUE,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE pending_removals (
    id TEXT PRIMARY KEY,
    scim_id TEXT NOT NULL,
    team_member_id TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    policy TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled', 'blocked')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_by TEXT,
    lease_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    outcome TEXT
);
CREATE UNIQUE INDEX pending_removals_one_active ON pending_removals (scim_id)
    WHERE state IN ('pending', 'running', 'blocked');
CREATE INDEX pending_removals_due ON pending_removals (state, due_at);

CREATE TABLE dropbox_jobs (
    job_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    scim_id TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    client TEXT,
    request_id TEXT,
    operation TEXT NOT NULL,
    resource_type TEXT,
    resource_id TEXT,
    dropbox_calls TEXT NOT NULL,
    status BIGINT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_resource ON audit_log (resource_id, at);

CREATE TABLE team_mirror (
    team_member_id TEXT PRIMARY KEY,
    email_lower TEXT NOT NULL,
    external_id TEXT,
    status TEXT NOT NULL,
    profile TEXT NOT NULL,
    seq BIGINT NOT NULL
);
CREATE INDEX team_mirror_seq ON team_mirror (seq, team_member_id);
CREATE INDEX team_mirror_email ON team_mirror (email_lower);
CREATE INDEX team_mirror_external ON team_mirror (external_id);

CREATE TABLE mirror_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    refreshed_at TIMESTAMPTZ NOT NULL
);

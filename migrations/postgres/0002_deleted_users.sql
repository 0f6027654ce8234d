-- Users the IdP deleted while the Dropbox member still exists (suspended, or awaiting a deferred removal).
-- SCIM answers 404 for them; re-creating or reactivating the same person restores them.
CREATE TABLE deleted_users (
    scim_id TEXT PRIMARY KEY,
    team_member_id TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    deleted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX deleted_users_email ON deleted_users (email_lower);

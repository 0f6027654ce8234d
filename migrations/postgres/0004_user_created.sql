-- When the bridge first knew the user (the earliest of Dropbox's invitation time and the first write),
-- so that meta.created stays the same for the life of the user, through deactivation and re-invitation.
ALTER TABLE user_extras ADD COLUMN created_at TIMESTAMPTZ;

-- When a group was created (Dropbox's time, or when the bridge first saw it) and last changed through
-- the bridge: Dropbox keeps no modification time for groups, and SCIM requires meta.lastModified.
CREATE TABLE group_times (
    group_id TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    modified_at TIMESTAMPTZ NOT NULL
);

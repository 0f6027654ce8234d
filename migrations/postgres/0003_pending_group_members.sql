-- Group memberships of users deactivated while invited: Dropbox cannot hold them (the invitation was
-- withdrawn), so the bridge keeps them and applies them when the user is invited again.
CREATE TABLE pending_group_members (
    group_id TEXT NOT NULL,
    scim_id TEXT NOT NULL,
    PRIMARY KEY (group_id, scim_id)
);
CREATE INDEX pending_group_members_user ON pending_group_members (scim_id);

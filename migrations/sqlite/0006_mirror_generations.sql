-- The team mirror in generations: a refresh writes a new generation page by page and swaps it in with one
-- update, so readers keep the previous snapshot until the new one is complete. Each row carries the SCIM
-- id, the listing sort key (lower-cased userName) and the lower-cased columns filters are pushed down to.
-- The old rows had none of these: they are dropped, and the next listing refreshes the mirror.
DROP TABLE team_mirror;
DELETE FROM mirror_meta;
CREATE TABLE team_mirror (
    generation INTEGER NOT NULL,
    team_member_id TEXT NOT NULL,
    scim_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    external_id TEXT,
    given_lower TEXT,
    family_lower TEXT,
    -- every emails.value, lower-cased, each followed by a newline and the first preceded by one
    emails_lower TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    profile TEXT NOT NULL,
    PRIMARY KEY (generation, team_member_id)
);
CREATE INDEX team_mirror_order ON team_mirror (generation, sort_key, scim_id);
CREATE INDEX team_mirror_scim ON team_mirror (generation, scim_id);
CREATE INDEX team_mirror_email ON team_mirror (generation, email_lower);
CREATE INDEX team_mirror_external ON team_mirror (generation, external_id);
CREATE INDEX team_mirror_member ON team_mirror (team_member_id);

-- The generation readers see, the next one to hand out, and the listing version: any change to what a
-- listing shows bumps it, so page positions and counts cached under one version stay exact.
CREATE TABLE mirror_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    current_generation INTEGER NOT NULL,
    next_generation INTEGER NOT NULL,
    version INTEGER NOT NULL
);
INSERT INTO mirror_state (id, current_generation, next_generation, version) VALUES (1, 0, 1, 0);
-- Generations being written by a refresh (the bridge's own writes go into them too).
CREATE TABLE mirror_building (generation INTEGER PRIMARY KEY);

CREATE TRIGGER team_mirror_ins AFTER INSERT ON team_mirror
    WHEN NEW.generation = (SELECT current_generation FROM mirror_state WHERE id = 1)
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER team_mirror_upd AFTER UPDATE ON team_mirror
    WHEN NEW.generation = (SELECT current_generation FROM mirror_state WHERE id = 1)
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER team_mirror_del AFTER DELETE ON team_mirror
    WHEN OLD.generation = (SELECT current_generation FROM mirror_state WHERE id = 1)
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER user_extras_ins AFTER INSERT ON user_extras
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER user_extras_upd AFTER UPDATE ON user_extras
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER user_extras_del AFTER DELETE ON user_extras
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER deleted_users_ins AFTER INSERT ON deleted_users
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER deleted_users_upd AFTER UPDATE ON deleted_users
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER deleted_users_del AFTER DELETE ON deleted_users
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER inactive_invites_ins AFTER INSERT ON inactive_invites
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER inactive_invites_upd AFTER UPDATE ON inactive_invites
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER inactive_invites_del AFTER DELETE ON inactive_invites
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER id_aliases_ins AFTER INSERT ON id_aliases
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER id_aliases_upd AFTER UPDATE ON id_aliases
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER id_aliases_del AFTER DELETE ON id_aliases
    BEGIN UPDATE mirror_state SET version = version + 1 WHERE id = 1; END;

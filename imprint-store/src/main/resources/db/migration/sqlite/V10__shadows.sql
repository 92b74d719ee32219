-- Device Shadow (AWS dialect). The classic shadow IS the device twin: its desired/reported are
-- the hub_twins row's, plus what AWS's document has beyond the twin: one version counting every
-- accepted change from either dialect, per-leaf metadata (timestamps), and whether it was deleted
-- (a deleted shadow keeps its version counter). Named shadows live in their own table.

ALTER TABLE hub_twins ADD COLUMN shadow_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE hub_twins ADD COLUMN shadow_metadata TEXT NOT NULL DEFAULT '{}';  -- {"desired":{...},"reported":{...}}, epoch seconds
ALTER TABLE hub_twins ADD COLUMN shadow_deleted BOOLEAN NOT NULL DEFAULT FALSE;
-- each twin patch so far was one accepted change (a new twin starts at versions 1/1)
UPDATE hub_twins SET shadow_version = desired_version + reported_version - 2;

CREATE TABLE shadows (
    device_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,  -- 1-64 of [a-zA-Z0-9:_-]
    desired    TEXT    NOT NULL,  -- JSON object ({} when the section is absent)
    reported   TEXT    NOT NULL,
    metadata   TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    deleted    BOOLEAN NOT NULL,  -- deleted rows keep the version for the next update
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (device_id, name)
);

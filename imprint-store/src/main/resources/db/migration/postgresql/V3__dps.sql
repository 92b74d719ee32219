-- Imprint store, PostgreSQL dialect: the device provisioning service (DPS) and the device registry
-- the hubs read. Times are epoch milliseconds (BIGINT). List-valued columns hold JSON text.

-- IoT hubs devices are assigned to.
CREATE TABLE hubs (
    name       TEXT    NOT NULL PRIMARY KEY,
    hostname   TEXT    NOT NULL,            -- what the device connects to (needs a dot for the Azure SDK)
    mqtt       TEXT    NOT NULL,            -- e.g. mqtts://127.0.0.3:8883
    region     TEXT,
    weight     INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 1000),
    created_at BIGINT  NOT NULL
);

-- Enrollments: group (every device chaining to a CA, optionally narrowed by an ID pattern)
-- or individual (one registration ID; overrides any group).
CREATE TABLE enrollments (
    name            TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('group', 'individual')),
    ca_pem          TEXT,                   -- group: the CA certificate devices chain to
    id_pattern      TEXT,                   -- group: optional regex the registration ID must match in full
    device_id       TEXT,                   -- individual: the registration ID
    allocation      TEXT    NOT NULL,       -- hashed | static | region | webhook
    allocation_json TEXT    NOT NULL,       -- policy settings (JSON object)
    hubs_json       TEXT    NOT NULL,       -- JSON array of hub names; [] = every hub
    tags_json       TEXT    NOT NULL,       -- initial twin tags (JSON object)
    desired_json    TEXT    NOT NULL,       -- initial desired properties (JSON object)
    reprovision     TEXT    NOT NULL,       -- reprovisionAndMigrate | reprovisionAndReset | never
    enabled         BOOLEAN NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX enrollments_individual ON enrollments (device_id) WHERE device_id IS NOT NULL;

-- The device registry: one row per registered device, written by DPS, read by the hubs.
CREATE TABLE devices (
    device_id    TEXT    NOT NULL PRIMARY KEY,
    hub          TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL,
    enrollment   TEXT    NOT NULL,
    tags_json    TEXT    NOT NULL,
    desired_json TEXT    NOT NULL,
    status       TEXT    NOT NULL,          -- assigned | disabled
    substatus    TEXT    NOT NULL,          -- initialAssignment | deviceDataMigrated | deviceDataReset | reprovisionedToInitialAssignment
    cert_serial  TEXT,                      -- serial of the certificate the device registered with
    version      BIGINT  NOT NULL,          -- +1 on every write; the etag
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX devices_hub ON devices (hub, device_id);
CREATE INDEX devices_updated ON devices (updated_at);

-- Every registration attempt, accepted or refused: the device's history.
CREATE TABLE registration_events (
    seq             BIGSERIAL NOT NULL PRIMARY KEY,
    registration_id TEXT    NOT NULL,
    at              BIGINT  NOT NULL,
    status          TEXT    NOT NULL,              -- assigned | failed | disabled
    substatus       TEXT,
    hub             TEXT,
    enrollment      TEXT,
    cert_serial     TEXT,
    error_code      TEXT,
    message         TEXT
);
CREATE INDEX registration_events_id ON registration_events (registration_id, seq);

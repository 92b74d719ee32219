-- Hub tables (imprint-hub): telemetry with bounded retention, the cloud-to-device queue,
-- device twins and presence. Times are epoch milliseconds.

CREATE TABLE hub_telemetry (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival order; retention trims the lowest
    device_id   TEXT    NOT NULL,
    hub         TEXT    NOT NULL,
    received_at BIGINT  NOT NULL,
    properties  TEXT    NOT NULL,  -- JSON object of the message's properties
    body        BYTEA   NOT NULL
);
CREATE INDEX hub_telemetry_device ON hub_telemetry (device_id, seq);
CREATE INDEX hub_telemetry_received ON hub_telemetry (received_at);

CREATE TABLE hub_c2d (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- delivery order per device
    device_id   TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    properties  TEXT    NOT NULL,
    body        BYTEA   NOT NULL,
    enqueued_at BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX hub_c2d_device ON hub_c2d (device_id, seq);

CREATE TABLE hub_twins (
    device_id        TEXT   NOT NULL PRIMARY KEY,
    desired          TEXT   NOT NULL,  -- JSON object without $version
    desired_version  BIGINT NOT NULL,
    reported         TEXT   NOT NULL,
    reported_version BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE hub_presence (
    device_id    TEXT    NOT NULL PRIMARY KEY,
    hub          TEXT    NOT NULL,
    connected    BOOLEAN NOT NULL,
    connected_at BIGINT,
    last_seen    BIGINT  NOT NULL
);

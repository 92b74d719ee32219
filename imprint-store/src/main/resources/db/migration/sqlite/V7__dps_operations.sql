-- DPS operations the devices poll (the Azure 202/poll protocol), in the store so that a poll
-- reaching any DPS node answers what the node that took the registration decided. Each row is
-- written in the registration's own transaction (with the device record and the history row)
-- and deleted after expires_at. A table of its own rather than columns of registration_events:
-- the history stays append-only and small, operations (with their certificate chains) go away.
CREATE TABLE dps_operations (
    operation_id    TEXT    NOT NULL PRIMARY KEY,
    registration_id TEXT    NOT NULL,
    status          TEXT    NOT NULL,   -- assigned | failed | disabled
    assigned_hub    TEXT,               -- assigned: the host name told to the device
    device_id       TEXT,               -- assigned
    substatus       TEXT,               -- assigned
    error_code      INTEGER NOT NULL,   -- Azure-style integer of a failure; 0 when assigned
    reason          TEXT,               -- stable reason code of a failure
    error_message   TEXT,
    payload_json    TEXT,               -- JSON returned to the device, or null
    issued_chain    TEXT,               -- base64 DER certificates, one per line (operational first), or null
    etag            TEXT,               -- assigned: the device record's etag as saved
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX dps_operations_expires ON dps_operations (expires_at);

-- Factory ledger: one row per device provisioned by a station (certificate installed and the
-- possession proof checked). Idempotent by serial: a station that resends a confirmation
-- after a crash changes nothing.
CREATE TABLE ledger (
    serial          TEXT    NOT NULL PRIMARY KEY,
    device_id       TEXT    NOT NULL,
    key_fingerprint TEXT    NOT NULL,
    station         TEXT    NOT NULL,
    batch           TEXT    NOT NULL,
    provisioned_at  BIGINT  NOT NULL,
    recorded_at     BIGINT  NOT NULL
);
CREATE INDEX ledger_batch ON ledger (batch, provisioned_at);
CREATE INDEX ledger_device ON ledger (device_id);

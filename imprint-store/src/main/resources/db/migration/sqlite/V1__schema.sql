-- Imprint store, SQLite dialect. Times are epoch milliseconds (BIGINT) in both dialects.

CREATE TABLE certificates (
    serial            TEXT    NOT NULL PRIMARY KEY,  -- lower-case hex, unique across all CAs
    ca                TEXT    NOT NULL,
    device_id         TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    not_before        BIGINT  NOT NULL,
    not_after         BIGINT  NOT NULL,
    key_fingerprint   TEXT    NOT NULL,
    requested_by      TEXT    NOT NULL,
    issued_at         BIGINT  NOT NULL,
    der               BLOB    NOT NULL,
    revoked_at        BIGINT,
    revocation_reason INTEGER,
    revocation_seq    BIGINT                         -- per-CA order of revocations (delta CRLs)
);
CREATE INDEX certificates_device ON certificates (device_id, issued_at);
CREATE INDEX certificates_issued ON certificates (issued_at);
CREATE UNIQUE INDEX certificates_revocation ON certificates (ca, revocation_seq) WHERE revocation_seq IS NOT NULL;

CREATE TABLE revocation_counters (
    ca       TEXT   NOT NULL PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE stations (
    name            TEXT    NOT NULL PRIMARY KEY,
    id_pattern      TEXT    NOT NULL,
    quota           BIGINT  NOT NULL CHECK (quota >= 0),
    rate_per_second INTEGER NOT NULL CHECK (rate_per_second >= 0),
    issued          BIGINT  NOT NULL DEFAULT 0 CHECK (issued >= 0),
    cert_serial     TEXT,
    revoked         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE crl_state (
    ca                  TEXT   NOT NULL PRIMARY KEY,
    crl_number          BIGINT NOT NULL,
    full_crl_number     BIGINT,
    full_revocation_seq BIGINT,
    full_this_update    BIGINT,
    full_der            BLOB
);

CREATE TABLE audit_log (
    seq       INTEGER NOT NULL PRIMARY KEY,  -- rowid alias in SQLite
    at        BIGINT  NOT NULL,
    type      TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    subject   TEXT,
    details   TEXT,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);

-- The chain head: one row, locked by every append so the chain never forks.
CREATE TABLE audit_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT  NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- CA on several nodes (issue 10, item 7): every CA node serves the CRLs one leader publishes,
-- so the CRLs themselves live here, whatever their size, not in a local file.

-- The current delta CRL of each CA, beside the current full CRL (both point into crl_chunks).
ALTER TABLE crl_state ADD COLUMN delta_crl_number BIGINT;
ALTER TABLE crl_state ADD COLUMN delta_base_number BIGINT;
ALTER TABLE crl_state ADD COLUMN delta_revocation_seq BIGINT;
ALTER TABLE crl_state ADD COLUMN delta_this_update BIGINT;

-- DER of published CRLs in chunks of at most 1 MiB: written in several short transactions and
-- made current by one small update of crl_state (see JdbcCrlStateStore for why).
CREATE TABLE crl_chunks (
    ca         TEXT    NOT NULL,
    kind       TEXT    NOT NULL,            -- 'full' or 'delta'
    crl_number BIGINT  NOT NULL,
    idx        INTEGER NOT NULL,
    bytes      BYTEA   NOT NULL,
    PRIMARY KEY (ca, kind, crl_number, idx)
);

-- Full CRLs used to sit in full_der or, above 1 MiB, in <pki>/crl/<ca>.crl. Forget them: the first
-- CRL leader after the upgrade publishes a fresh full CRL into crl_chunks (numbers continue from
-- crl_number, which stays).
UPDATE crl_state SET full_crl_number = NULL, full_revocation_seq = NULL, full_this_update = NULL, full_der = NULL;

-- Console logins (item 8): one-time login links and browser sessions, so any admin node serves
-- them and a restart keeps them. Only SHA-256 hashes of the link tokens and session ids are
-- kept: a reader of the database cannot log in or take over a session with what is here.
CREATE TABLE console_links (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    actor      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_links_expiry ON console_links (expires_at);

CREATE TABLE console_sessions (
    id_hash    TEXT   NOT NULL PRIMARY KEY,
    actor      TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

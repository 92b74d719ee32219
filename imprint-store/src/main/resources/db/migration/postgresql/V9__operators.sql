-- Operator accounts (issue 14, item 1): people who use the admin API, the CLI and the console,
-- each with a role and a client certificate from the service CA (SAN URI urn:imprint:operator:NAME).
-- In the store so every admin node of a cluster sees the same accounts and revocations.
CREATE TABLE operators (
    name        TEXT   NOT NULL PRIMARY KEY,
    role        TEXT   NOT NULL,             -- admin, security, operator, factory, auditor
    stations    TEXT   NOT NULL DEFAULT '',  -- factory accounts: the stations they may see, comma-separated
    cert_serial TEXT,                        -- lower-case hex; NULL for the credential 'imprint up' writes to <data>/admin/
    created_at  BIGINT NOT NULL,
    created_by  TEXT   NOT NULL,
    revoked_at  BIGINT
);

-- The admin credential every data folder already has (<data>/admin/, SAN urn:imprint:admin:admin)
-- becomes the first admin account: an upgraded install keeps working with it.
INSERT INTO operators (name, role, stations, cert_serial, created_at, created_by, revoked_at)
    VALUES ('admin', 'admin', '', NULL, CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT), 'migration', NULL);

CREATE INDEX audit_log_actor ON audit_log (actor, seq);

-- Secrets every node of a cluster shares and a restart keeps (issue 12): the key of the AWS
-- endpoint's certificate ownership tokens (HMAC-SHA256), so a token minted by create-from-csr on
-- one node, or before a restart, is accepted by RegisterThing on any node. Made at random by the
-- first node that needs it (INSERT ... ON CONFLICT DO NOTHING, then read back: every node ends
-- with the same bytes). A reader of this table can mint tokens, but a token only vouches that a
-- connection asked for a certificate: RegisterThing still validates the device's own certificate.
CREATE TABLE shared_secrets (
    name       TEXT   NOT NULL PRIMARY KEY,
    secret     BLOB  NOT NULL,
    created_at BIGINT NOT NULL
);

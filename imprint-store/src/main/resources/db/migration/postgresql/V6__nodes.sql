-- Several nodes on one PostgreSQL (imprint-cluster): the node table with leases, and each
-- node's inbox of node-to-node messages. Times are epoch milliseconds.

CREATE TABLE nodes (
    name         TEXT   NOT NULL PRIMARY KEY,  -- --node NAME, unique in the cluster
    roles        TEXT   NOT NULL,              -- comma list: ca, admin, dps, hub:NAME
    address      TEXT   NOT NULL,              -- advertised address
    pid          BIGINT NOT NULL,              -- with started_at: which process holds the name
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL               -- dead after this unless a heartbeat extends it
);

CREATE TABLE node_messages (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- send order (per sender: commit order)
    to_node     TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    from_node   TEXT   NOT NULL,
    device_id   TEXT   NOT NULL,
    epoch       BIGINT NOT NULL,
    correlation TEXT   NOT NULL,
    body        BYTEA  NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX node_messages_to ON node_messages (to_node, seq);

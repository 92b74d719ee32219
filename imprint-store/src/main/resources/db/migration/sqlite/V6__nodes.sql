-- Several nodes on one PostgreSQL (imprint-cluster): the node table with leases, and each
-- node's inbox of node-to-node messages. On SQLite (one process) the tables exist so that one
-- store contract holds for both dialects; nothing of the cluster writes them there.
-- Times are epoch milliseconds.

CREATE TABLE nodes (
    name         TEXT    NOT NULL PRIMARY KEY,
    roles        TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    lease_until  INTEGER NOT NULL
);

CREATE TABLE node_messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    to_node     TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    from_node   TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    epoch       INTEGER NOT NULL,
    correlation TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX node_messages_to ON node_messages (to_node, seq);

-- The session directory (several hub nodes serve one logical hub): which node holds each
-- connected device's session, under which epoch. One row per live session, written at CONNECT,
-- removed at DISCONNECT (and all of a node's rows when it starts, stops, or dies). Times are
-- epoch milliseconds.

CREATE TABLE sessions (
    device_id    TEXT    NOT NULL PRIMARY KEY,
    hub          TEXT    NOT NULL,
    node         TEXT    NOT NULL,
    epoch        BIGINT  NOT NULL,  -- from session_epoch: unique, grows with every claim
    connected_at BIGINT  NOT NULL
);
CREATE INDEX sessions_node ON sessions (node);

-- The epoch counter: rows of sessions come and go, epochs must never repeat for a device
-- (a message fenced with an old epoch must not match a newer session). One row, advanced
-- once per batch of claims.
CREATE TABLE session_epoch (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last BIGINT  NOT NULL
);
INSERT INTO session_epoch (id, last) VALUES (1, 0);

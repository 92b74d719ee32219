-- Telemetry as runs: one row per run of a device's messages in one writer batch, the messages
-- packed into one blob (format: dev.imprint.store.TelemetryChunk). A row per message cost the
-- hub's writer an insert into the (device_id, seq) index per message, about 1.2 us of CPU while
-- devices interleave. Messages are numbered in arrival order; last_seq is the number of a row's
-- newest message and is assigned by the writer (AUTOINCREMENT keeps sqlite_sequence at the
-- highest number ever stored, which the writer continues from: pruning never lowers it).
CREATE TABLE hub_telemetry_chunks (
    last_seq      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    device_id     TEXT    NOT NULL,
    hub           TEXT    NOT NULL,
    message_count INTEGER NOT NULL,
    last_at       BIGINT  NOT NULL,  -- the latest received_at of its messages: retention by age takes a row once all of it is old
    messages      BLOB    NOT NULL
);

-- every stored message becomes a row of one, under its own number
INSERT INTO hub_telemetry_chunks (last_seq, device_id, hub, message_count, last_at, messages)
SELECT seq, device_id, hub, 1, received_at,
       unhex('01' || printf('%016X', received_at) || printf('%08X', length(CAST(properties AS BLOB))) || hex(properties)
             || printf('%08X', length(body)) || hex(body))
FROM hub_telemetry ORDER BY seq;

-- numbering continues after the highest number the old table ever gave out
INSERT INTO sqlite_sequence (name, seq)
SELECT 'hub_telemetry_chunks', seq FROM sqlite_sequence
WHERE name = 'hub_telemetry' AND NOT EXISTS (SELECT 1 FROM hub_telemetry_chunks);
UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'hub_telemetry'))
WHERE name = 'hub_telemetry_chunks' AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'hub_telemetry');

DROP TABLE hub_telemetry;
CREATE INDEX hub_telemetry_chunks_device ON hub_telemetry_chunks (device_id, last_seq);

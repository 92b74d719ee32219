-- Telemetry as runs: one row per run of a device's messages in one writer batch, the messages
-- packed into one blob (format: dev.imprint.store.TelemetryChunk). A row per message cost the
-- hub's writer an insert into the (device_id, seq) index per message. Messages are numbered in
-- arrival order from hub_telemetry_seq (a writer takes one number per message of its batch);
-- last_seq is the number of a row's newest message.
CREATE TABLE hub_telemetry_chunks (
    last_seq      BIGINT  PRIMARY KEY,
    device_id     TEXT    NOT NULL,
    hub           TEXT    NOT NULL,
    message_count INTEGER NOT NULL,
    last_at       BIGINT  NOT NULL,  -- the latest received_at of its messages: retention by age takes a row once all of it is old
    messages      BYTEA   NOT NULL
);

-- every stored message becomes a row of one, under its own number
INSERT INTO hub_telemetry_chunks (last_seq, device_id, hub, message_count, last_at, messages)
SELECT seq, device_id, hub, 1, received_at,
       '\x01'::bytea || int8send(received_at) || int4send(octet_length(convert_to(properties, 'UTF8')))
           || convert_to(properties, 'UTF8') || int4send(octet_length(body)) || body
FROM hub_telemetry;

CREATE SEQUENCE hub_telemetry_seq;
SELECT setval('hub_telemetry_seq', (SELECT coalesce(max(seq), 0) + 1 FROM hub_telemetry), false);

DROP TABLE hub_telemetry;
CREATE INDEX hub_telemetry_chunks_device ON hub_telemetry_chunks (device_id, last_seq);

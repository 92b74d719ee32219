-- Transactional outbox of device lifecycle events (connected, disconnected, registered,
-- certificate issued / rotated / revoked, twin reported change): each row is written in the
-- transaction of the change it describes, so an event exists exactly when its change committed.
-- A relay publishes rows in id order (to Kafka's imprint.events) and deletes what was
-- acknowledged. Written only when Kafka is configured. Times are epoch milliseconds.

CREATE TABLE device_events (
    id        BIGSERIAL PRIMARY KEY,
    event_id  TEXT    NOT NULL UNIQUE,  -- random UUID: consumers deduplicate on it
    device_id TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    at        BIGINT  NOT NULL,
    detail    TEXT    NOT NULL          -- JSON object
);

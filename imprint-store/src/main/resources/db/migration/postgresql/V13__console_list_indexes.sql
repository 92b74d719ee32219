-- The console's and admin API's certificate lists page newest first with a tie-break on serial
-- (ORDER BY issued_at DESC, serial DESC LIMIT ? OFFSET ?), over all certificates or one device's.
-- With the serial in the index the database walks the index backwards and stops after the page,
-- instead of sorting every row of an issued_at tie (a factory batch shares milliseconds) or, on
-- PostgreSQL, choosing a full sort at a million rows. Each replaces the V1 index it extends.
CREATE INDEX certificates_issued_serial ON certificates (issued_at, serial);
DROP INDEX certificates_issued;
CREATE INDEX certificates_device_issued_serial ON certificates (device_id, issued_at, serial);
DROP INDEX certificates_device;

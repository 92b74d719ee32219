-- Retention of expired device certificates (issue 15): the pruner deletes, per CA and in
-- bounded batches, device certificates whose notAfter is long past. Partial: other kinds are
-- never pruned, and the index stays as small as the device rows.
CREATE INDEX certificates_device_expiry ON certificates (ca, not_after) WHERE kind = 'device';

-- An enrollment's AWS topic policy (issue 12): extra publish and subscribe MQTT filters for its
-- devices on the AWS endpoint, as JSON {"publish": [...], "subscribe": [...]}, a "thing" placeholder standing
-- for the connecting thing's name. NULL = the default policy alone.
ALTER TABLE enrollments ADD COLUMN aws_policy_json TEXT;

/** Telemetry and device events on Kafka. */
package dev.imprint.kafka;

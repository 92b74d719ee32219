package dev.imprint.device.cli;

import dev.imprint.pki.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Every {@code Duration} option of the CLI reads through {@link Durations}: {@code 20s},
 * {@code 15m}, {@code 30d}, or a plain number of seconds. Named on each option
 * ({@code converter = DurationConverter.class}) so that a command built on its own, as tests do,
 * reads the same way.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** For the options whose name says milliseconds ({@code --webhook-timeout-ms}): a plain number stays milliseconds. */
    public static final class PlainMillis implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value, java.time.temporal.ChronoUnit.MILLIS);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

package dev.udsgate.cli;

import dev.udsgate.config.DurationText;
import dev.udsgate.config.FileMode;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns command-line text into typed values, with messages that say what is expected. */
final class Converters {

    private Converters() {}

    static final class Mode implements ITypeConverter<FileMode> {
        @Override
        public FileMode convert(String value) {
            try {
                return FileMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A duration as {@link DurationText} reads it. */
    static final class Timeout implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return DurationText.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }

        static String format(Duration duration) {
            return DurationText.format(duration);
        }
    }
}

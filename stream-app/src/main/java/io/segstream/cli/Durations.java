package io.segstream.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses "500ms", "10s", "2m", "1h" or ISO-8601 ("PT10S") durations for options. */
final class Durations {
    private Durations() {}

    static Duration parse(String text, String option) {
        Duration d = parseAny(text, option);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be positive, was " + text);
        }
        return d;
    }

    private static Duration parseAny(String text, String option) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(option + " " + text + " is not a duration (examples: 500ms, 10s, 2m)");
    }
}

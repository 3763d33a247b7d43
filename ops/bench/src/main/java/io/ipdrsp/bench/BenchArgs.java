package io.ipdrsp.bench;

import java.time.Duration;

/** What the benchmarks' option parsers share. */
final class BenchArgs {
    private BenchArgs() {
    }

    /** {@code 90s}, {@code 10m}, {@code 1h}, or a number of seconds. */
    static Duration duration(String v) {
        String s = v.trim();
        char unit = s.isEmpty() ? '?' : s.charAt(s.length() - 1);
        String n = Character.isDigit(unit) ? s : s.substring(0, Math.max(0, s.length() - 1));
        long amount;
        try {
            amount = Long.parseLong(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a duration like 90s, 10m or 1h: " + v);
        }
        return switch (Character.isDigit(unit) ? 's' : unit) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("a duration like 90s, 10m or 1h: " + v);
        };
    }
}

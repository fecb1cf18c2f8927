package dev.mailpipe.deliverer.queue;

import java.time.Duration;
import java.util.Locale;

/** Compact ages for the queue table, two units at most: {@code 45s}, {@code 12m05s}, {@code 2h05m}, {@code 3d04h}. */
public final class Ages {

    private Ages() {
    }

    public static String format(final Duration age) {
        final long s = Math.max(0, age.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3_600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3_600, s % 3_600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3_600);
    }
}

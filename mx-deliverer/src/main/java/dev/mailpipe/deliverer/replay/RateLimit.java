package dev.mailpipe.deliverer.replay;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --rate N/s}: a token bucket (pure; time comes from a {@link LongSupplier} of nanoseconds,
 * so tests drive it without sleeping). {@link #acquire} takes one token and says how long to wait
 * before using it; tokens may go negative, so waits add up exactly and the long-run rate is the
 * configured one whatever the sleep granularity. The bucket holds a tenth of a second of tokens
 * (at least one): a replay starts at its rate, not with a burst.
 */
final class RateLimit {

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*([smh]))?");
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final double perSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    RateLimit(final double perSecond, final LongSupplier nanoTime) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be above 0: " + perSecond);
        }
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond / 10);
        this.nanoTime = nanoTime;
        this.tokens = 1;
        this.last = nanoTime.getAsLong();
    }

    /** Per-second rate of {@code 50/s}, {@code 600/m}, {@code 10000/h} or {@code 50} (per second). */
    static double parse(final String text) {
        final Matcher m = FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw new IllegalArgumentException("--rate: a number of emails per second, minute or hour, like 50/s, 600/m"
                    + " or 10000/h: '" + text + "'");
        }
        final double n = Double.parseDouble(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "m" -> n / 60;
            case "h" -> n / 3600;
            default -> n;
        };
    }

    double perSecond() {
        return perSecond;
    }

    /** Takes a token; returns the nanoseconds to wait before sending (0 = now). */
    long acquire() {
        final long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * perSecond / NANOS_PER_SECOND);
        last = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / perSecond);
    }
}

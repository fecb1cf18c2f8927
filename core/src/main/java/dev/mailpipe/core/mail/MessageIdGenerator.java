package dev.mailpipe.core.mail;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes messageIds in SendCloud's documented shape
 * {@code <epoch-millis>_<n>_<n>_<n>.<instance>-inbound}, e.g.
 * {@code 1426390015358_15_6484_8661.sc-10_10_127_51-inbound}. The three numbers are: a
 * per-instance sequence (starting at a random value so a restart within the same millisecond does
 * not repeat it), the session number on this instance, and a random number below 10,000. Unique as
 * long as instance ids are unique across replicas.
 */
public final class MessageIdGenerator {

    private final Clock clock;
    private final String instance;
    private final AtomicLong sequence = new AtomicLong(ThreadLocalRandom.current().nextInt(100_000));

    public MessageIdGenerator(final Clock clock, final String instanceId) {
        this.clock = clock;
        this.instance = sanitize(instanceId);
    }

    public String next(final long sessionNumber) {
        return clock.millis() + "_" + (sequence.getAndIncrement() & 0xFFFFFFFL) + "_" + sessionNumber + "_"
                + ThreadLocalRandom.current().nextInt(10_000) + "." + instance + "-inbound";
    }

    /** Keeps letters, digits, '-' and '_'; dots and anything else become '_' (sc-10_10_127_51). */
    public static String sanitize(final String instanceId) {
        final String s = instanceId.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
        return s.isEmpty() ? "mailpipe" : s;
    }
}

package dev.mailpipe.deliverer.queue;

import java.util.Locale;
import java.util.function.Function;

/** What the rows of {@code ./mailpipe queue} are: one per recipient domain, MX host, account or stage. */
public enum QueueBy {
    DOMAIN("DOMAIN", DeferredEmail::domain),
    /** An email whose attempt reached no MX host (DNS failure, refused connections) counts under {@code (domain)}. */
    MX("MX HOST", e -> e.mxHost() != null ? e.mxHost() : "(" + e.domain() + ")"),
    ACCOUNT("ACCOUNT", DeferredEmail::account),
    STAGE("STAGE", e -> RetryStages.label(e.topic()));

    private final String heading;
    private final Function<DeferredEmail, String> key;

    QueueBy(final String heading, final Function<DeferredEmail, String> key) {
        this.heading = heading;
        this.key = key;
    }

    public String heading() {
        return heading;
    }

    public String keyOf(final DeferredEmail email) {
        return key.apply(email);
    }

    /** For picocli: {@code domain}, {@code mx}, ... in any case. */
    public static QueueBy parse(final String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("expected domain, mx, account or stage, not '" + value + "'", e);
        }
    }
}

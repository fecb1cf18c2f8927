package dev.mailpipe.embedded;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Who keeps the broker child alive, and the one-line protocol by which a new launcher adopts a
 * broker whose launcher died. Pure: no I/O, the caller passes the time.
 *
 * <p>The broker runs while one launcher holds its lifeline (the spawning launcher's end of the
 * child's stdin, or an adopter's control connection). When the holder goes away the broker is an
 * orphan; a launcher that presents the token from the control file within the grace period
 * becomes the new holder, otherwise the broker shuts down. While a holder is alive every other
 * launcher is refused, so two launchers never share one data directory.
 */
final class BrokerLease {

    static final String ADOPT = "ADOPT";
    static final String OK = "OK";
    static final String BUSY = "BUSY";
    static final String DENIED = "DENIED";
    static final String STOPPING = "STOPPING";

    /** What an adoption request got. */
    enum Adoption { ADOPTED, BUSY, STOPPING, DENIED }

    private final byte[] token;
    private final Duration grace;
    private boolean held = true;
    private Instant orphanedAt;

    /** A lease held by the launcher that spawned the broker. */
    BrokerLease(final String token, final Duration grace) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.grace = grace;
    }

    /** The holder's lifeline ended (its stdin or control connection closed). */
    synchronized void release(final Instant now) {
        if (held) {
            held = false;
            orphanedAt = now;
        }
    }

    /** True when the broker has had no holder for the whole grace period: time to shut down. */
    synchronized boolean expired(final Instant now) {
        return !held && !now.isBefore(orphanedAt.plus(grace));
    }

    synchronized boolean held() {
        return held;
    }

    /** Answers one request line of a launcher; on {@link Adoption#ADOPTED} it is the holder from now on. */
    synchronized Adoption request(final String line, final Instant now) {
        final String[] words = line == null ? new String[0] : line.strip().split(" ", 2);
        if (words.length != 2 || !ADOPT.equals(words[0].toUpperCase(Locale.ROOT))
                || !MessageDigest.isEqual(token, words[1].strip().getBytes(StandardCharsets.US_ASCII))) {
            return Adoption.DENIED;
        }
        if (held) {
            return Adoption.BUSY;
        }
        if (expired(now)) {
            return Adoption.STOPPING;
        }
        held = true;
        orphanedAt = null;
        return Adoption.ADOPTED;
    }

    /** The reply line for an outcome. */
    static String reply(final Adoption adoption, final long pid) {
        return switch (adoption) {
            case ADOPTED -> OK + " " + pid;
            case BUSY -> BUSY;
            case STOPPING -> STOPPING;
            case DENIED -> DENIED;
        };
    }
}

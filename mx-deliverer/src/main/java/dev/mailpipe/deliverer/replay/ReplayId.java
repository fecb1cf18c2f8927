package dev.mailpipe.deliverer.replay;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The id of one replay (pure): {@code 20261203T120700Z-3f9a1c}, the time it started and 24 random
 * bits. The time tells a resumed run where on {@code mail.outbound} its earlier copies can start,
 * so it reads from there instead of from the window.
 */
public final class ReplayId {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReplayId() {
    }

    /** A new id for a replay starting at {@code now}. */
    public static String generate(final Instant now) {
        final byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return STAMP.format(now.truncatedTo(ChronoUnit.SECONDS)) + "-" + HexFormat.of().formatHex(random);
    }

    /**
     * Checks an id given with {@code --replay-id} (it goes into headers and a printed command line).
     *
     * @throws IllegalArgumentException when it is not 1–64 letters, digits, {@code . _ : -}
     */
    public static String validate(final String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException("--replay-id: 1 to 64 letters, digits, '.', '_', ':' or '-'"
                    + " starting with a letter or digit: '" + id + "'");
        }
        return id;
    }

    /** When a generated id's replay started; empty for an id chosen by hand. */
    public static Optional<Instant> startedAt(final String id) {
        final int dash = id.indexOf('-');
        if (dash != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(STAMP.parse(id.substring(0, dash))));
        } catch (final DateTimeParseException e) {
            return Optional.empty();
        }
    }
}

package dev.mailpipe.ingest.smtp;

import java.util.Optional;
import java.util.regex.Pattern;

/** Parses the path of MAIL FROM / RCPT TO and checks addresses, leniently but without surprises. */
public final class MailAddress {

    // local@domain, no spaces, angle brackets, or control characters; the domain has a dot or is a literal.
    private static final Pattern ADDRESS = Pattern.compile("[^\\s<>()\\[\\]\\\\,;:@\"\\x00-\\x1f]+(\\.[^\\s<>()\\[\\]\\\\,;:@\"\\x00-\\x1f]+)*@([A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f.:]+\\])");

    private MailAddress() {
    }

    public static boolean isValid(final String address) {
        return address.length() <= 254 && ADDRESS.matcher(address).matches();
    }

    /** A parsed {@code FROM:<path> params} or {@code TO:<path> params} argument. */
    public record PathArgument(String address, String parameters) {
    }

    /**
     * Parses {@code <path> [params]} after the {@code FROM:} / {@code TO:} keyword; tolerates a
     * space after the colon and a path without angle brackets, as many clients send them.
     */
    public static Optional<PathArgument> parsePath(final String argument) {
        final String s = argument.strip();
        if (s.startsWith("<")) {
            final int close = s.indexOf('>');
            if (close < 0) {
                return Optional.empty();
            }
            return Optional.of(new PathArgument(stripSourceRoute(s.substring(1, close)), s.substring(close + 1).strip()));
        }
        final int space = s.indexOf(' ');
        final String address = space < 0 ? s : s.substring(0, space);
        return address.isEmpty() ? Optional.empty()
                : Optional.of(new PathArgument(address, space < 0 ? "" : s.substring(space + 1).strip()));
    }

    /** {@code @a,@b:user@c} → {@code user@c} (RFC 5321 §4.1.2 source routes are ignored). */
    private static String stripSourceRoute(final String path) {
        if (path.startsWith("@")) {
            final int colon = path.indexOf(':');
            return colon < 0 ? path : path.substring(colon + 1);
        }
        return path;
    }
}

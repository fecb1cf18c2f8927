package dev.mailpipe.core.address;

import java.util.Optional;

/**
 * The argument of {@code MAIL FROM:} or {@code RCPT TO:} after the colon: a path and its
 * parameters (RFC 5321 §4.1.2), split without judging the address ({@link Mailbox#parse} does).
 *
 * @param address    the path without angle brackets and source route; empty for the null path {@code <>}
 * @param parameters the ESMTP parameters after the path, as written (may be empty)
 */
public record PathArgument(String address, String parameters) {

    /**
     * Splits {@code <path> [params]}; tolerates a space after the colon and a path without angle
     * brackets, as many clients send them. A {@code >} or space inside a quoted local part belongs
     * to the address. Empty when there is no path at all or the brackets do not close.
     */
    public static Optional<PathArgument> parse(final String argument) {
        final String s = argument.strip();
        if (s.startsWith("<")) {
            final int close = end(s, 1, '>');
            if (close < 0) {
                return Optional.empty();
            }
            return Optional.of(new PathArgument(stripSourceRoute(s.substring(1, close)), s.substring(close + 1).strip()));
        }
        final int space = end(s, 0, ' ');
        final String address = space < 0 ? s : s.substring(0, space);
        return address.isEmpty() ? Optional.empty()
                : Optional.of(new PathArgument(address, space < 0 ? "" : s.substring(space + 1).strip()));
    }

    /** Index of the first {@code stop} outside a quoted string from {@code from}, or -1. */
    private static int end(final String s, final int from, final char stop) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == stop && !quoted) {
                return i;
            }
        }
        return -1;
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

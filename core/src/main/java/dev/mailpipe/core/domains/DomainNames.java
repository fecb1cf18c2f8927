package dev.mailpipe.core.domains;

import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Domain names as mailpipe keys them: lower-case ASCII (IDNA), no trailing dot. A registered domain
 * covers its subdomains, the closest registration winning: {@code news.shop.example} is covered by
 * a registration of {@code shop.example} unless {@code news.shop.example} is registered itself.
 */
public final class DomainNames {

    private DomainNames() {
    }

    /**
     * The normalised form of {@code domain}, or empty when it is not a usable host name (empty
     * labels, a single label, characters IDNA refuses, an address literal).
     */
    public static Optional<String> normalise(final String domain) {
        if (domain == null) {
            return Optional.empty();
        }
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.startsWith("[") || d.length() > 253) {
            return Optional.empty();
        }
        final String ascii;
        if (isAscii(d)) {
            // IDNA leaves an ASCII name as it is (its label checks are the ones below): the
            // deliverer normalises every email's From: domain, so the common case skips it
            ascii = d.toLowerCase(Locale.ROOT);
        } else {
            try {
                ascii = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (final IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        int labels = 0;
        int start = 0;
        while (true) {
            final int dot = ascii.indexOf('.', start);
            final int end = dot < 0 ? ascii.length() : dot;
            if (!isLabel(ascii, start, end)) {
                return Optional.empty();
            }
            labels++;
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        return labels < 2 ? Optional.empty() : Optional.of(ascii);
    }

    private static boolean isAscii(final String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** 1-63 of {@code [a-z0-9_-]}, not starting or ending with a hyphen. */
    private static boolean isLabel(final String s, final int start, final int end) {
        final int length = end - start;
        if (length < 1 || length > 63 || s.charAt(start) == '-' || s.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            final char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The normalised domain, or an {@link IllegalArgumentException} naming it. */
    public static String require(final String domain) {
        return normalise(domain).orElseThrow(() -> new IllegalArgumentException("not a domain name: " + domain));
    }

    /**
     * {@code domain} (normalised) and its parents, most specific first, down to two labels:
     * {@code a.b.example} → {@code a.b.example}, {@code b.example}. Empty for a non-domain.
     */
    public static List<String> selfAndParents(final String domain) {
        final Optional<String> normal = normalise(domain);
        if (normal.isEmpty()) {
            return List.of();
        }
        final List<String> out = new ArrayList<>();
        String d = normal.get();
        while (true) {
            out.add(d);
            final int dot = d.indexOf('.');
            final String parent = d.substring(dot + 1);
            if (parent.indexOf('.') < 0) {
                return out;
            }
            d = parent;
        }
    }

    /** The closest registration covering {@code domain}: its own, else its nearest parent's. */
    public static <T> Optional<T> closest(final String domain, final Function<String, Optional<T>> lookup) {
        for (final String candidate : selfAndParents(domain)) {
            final Optional<T> found = lookup.apply(candidate);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The domain part of an address ({@code local@domain}), or empty. */
    public static Optional<String> ofAddress(final String address) {
        if (address == null) {
            return Optional.empty();
        }
        final int at = address.lastIndexOf('@');
        return at < 0 ? Optional.empty() : normalise(address.substring(at + 1));
    }
}

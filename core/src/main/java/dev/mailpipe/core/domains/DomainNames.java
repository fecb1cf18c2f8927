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
        try {
            ascii = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
        final String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            return Optional.empty();
        }
        for (final String label : labels) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")) {
                return Optional.empty();
            }
        }
        return Optional.of(ascii);
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

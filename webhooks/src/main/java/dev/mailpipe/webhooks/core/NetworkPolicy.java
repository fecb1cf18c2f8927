package dev.mailpipe.webhooks.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a webhook may be posted to (server-side request forgery): loopback, private,
 * link-local, unique-local, shared (CGNAT), unspecified, multicast and broadcast addresses are
 * refused unless an allowed network contains them. The check is on the resolved address the
 * connection is then made to, never on the URL's text. Immutable, pure.
 */
public final class NetworkPolicy {

    /** A network in CIDR notation. */
    public record Cidr(byte[] network, int prefix) {

        /** Parses {@code 10.0.0.0/8}, {@code ::1/128} or a bare address (a /32 or /128). */
        public static Cidr parse(final String text) {
            final int slash = text.indexOf('/');
            final String host = slash < 0 ? text : text.substring(0, slash);
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("not an IP network like 10.0.0.0/8: '" + text + "'");
            }
            final byte[] address;
            try {
                address = InetAddress.getByName(host).getAddress();
            } catch (final UnknownHostException e) {
                throw new IllegalArgumentException("not an IP network like 10.0.0.0/8: '" + text + "'");
            }
            final int prefix;
            try {
                prefix = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "'");
            }
            return new Cidr(address, prefix);
        }

        public boolean contains(final InetAddress address) {
            final byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                final int mask = 0x80 >>> (bit % 8);
                if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Cidr> SPECIAL = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "64:ff9b::/96", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
            .stream().map(Cidr::parse).toList();

    private final List<Cidr> allowed;

    private NetworkPolicy(final List<Cidr> allowed) {
        this.allowed = allowed;
    }

    /** Refuses the special ranges except those inside {@code cidrs}. */
    public static NetworkPolicy allowing(final List<String> cidrs) {
        return new NetworkPolicy(cidrs.stream().map(Cidr::parse).toList());
    }

    /** Why {@code address} may not be posted to, or empty when it may. */
    public Optional<String> refusal(final InetAddress address) {
        if (allowed.stream().anyMatch(c -> c.contains(address))) {
            return Optional.empty();
        }
        for (final Cidr special : SPECIAL) {
            if (special.contains(address)) {
                return Optional.of("refused address " + address.getHostAddress() + " (" + kind(address)
                        + "; allow it with MAILPIPE_WEBHOOK_ALLOWED_NETWORKS)");
            }
        }
        return Optional.empty();
    }

    private static String kind(final InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        return "special-purpose";
    }
}

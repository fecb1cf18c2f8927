package dev.mailpipe.ingest.limits;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Client networks exempt from AUTH, each mapped to the account its mail is sent as
 * ({@code 10.1.0.0/16=internal-app}). The first matching entry wins.
 */
public final class TrustedNetworks {

    private record Entry(byte[] network, int prefix, String apiUser) {
    }

    private final List<Entry> entries;

    private TrustedNetworks(final List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Parses {@code CIDR=api_user} items; throws IllegalArgumentException naming the bad item. */
    public static TrustedNetworks parse(final List<String> items) {
        final List<Entry> entries = new ArrayList<>();
        for (final String raw : items) {
            final String item = raw.strip();
            if (item.isEmpty()) {
                continue;
            }
            final int eq = item.indexOf('=');
            final int slash = item.indexOf('/');
            if (eq < 0 || slash < 0 || slash > eq || eq == item.length() - 1) {
                throw new IllegalArgumentException("expected CIDR=api_user, got " + item);
            }
            final String literal = item.substring(0, slash).strip();
            if (!literal.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("bad CIDR in " + item + " (an IP address literal is needed)");
            }
            try {
                final byte[] network = InetAddress.getByName(literal).getAddress();
                final int prefix = Integer.parseInt(item.substring(slash + 1, eq).strip());
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + item);
                }
                entries.add(new Entry(network, prefix, item.substring(eq + 1).strip()));
            } catch (final UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("bad CIDR in " + item);
            }
        }
        return new TrustedNetworks(entries);
    }

    /** The account for a client address, or null when the address is not trusted. */
    public String accountFor(final String address) {
        if (entries.isEmpty()) {
            return null;
        }
        final byte[] client;
        if (!address.matches("[0-9A-Fa-f:.%a-z]+")) {
            return null;
        }
        try {
            client = InetAddress.getByName(address).getAddress();
        } catch (final UnknownHostException e) {
            return null;
        }
        for (final Entry e : entries) {
            if (e.network().length == client.length && samePrefix(e.network(), client, e.prefix())) {
                return e.apiUser();
            }
        }
        return null;
    }

    private static boolean samePrefix(final byte[] a, final byte[] b, final int prefix) {
        final int bits = a.length * 8;
        final BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .shiftRight(prefix).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
    }
}

package dev.mailpipe.platform;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. {@code 127.0.0.0/8} or {@code fc00::/7}: the one
 * parser of network lists in settings (the deliverer's allowed MX networks, the web service's trusted
 * proxies).
 */
public record Cidr(byte[] network, int prefixLength) {

    public Cidr {
        network = network.clone();
    }

    /** Parses {@code address/len} (a bare address is a /32 or /128); only literal addresses, no DNS. */
    public static Cidr parse(final String text) {
        final String s = text.strip();
        final int slash = s.indexOf('/');
        final String addressPart = slash < 0 ? s : s.substring(0, slash);
        if (addressPart.isEmpty() || !(addressPart.contains(":") || addressPart.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("not a CIDR network: '" + text + "'");
        }
        final byte[] bytes;
        try {
            bytes = InetAddress.getByName(addressPart).getAddress();
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException("not a CIDR network: '" + text + "'");
        }
        final int max = bytes.length * 8;
        final int len;
        try {
            len = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        if (len < 0 || len > max) {
            throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
        }
        return new Cidr(bytes, len);
    }

    public boolean contains(final InetAddress address) {
        final byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; i < candidate.length && bits > 0; i++, bits -= 8) {
            final int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((candidate[i] & mask) != (network[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Cidr other && other.prefixLength == prefixLength && Arrays.equals(other.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (final UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}

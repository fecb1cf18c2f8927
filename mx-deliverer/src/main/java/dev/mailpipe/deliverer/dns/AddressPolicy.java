package dev.mailpipe.deliverer.dns;

import dev.mailpipe.platform.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which MX addresses mailpipe may connect to. Loopback, private, shared (CGNAT), link-local,
 * unspecified and multicast targets are refused — an MX pointing there is a misconfiguration or
 * an attempt to reach internal services — unless an operator lists the network as allowed.
 */
public final class AddressPolicy {

    private static final List<Cidr> REFUSED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
            .stream().map(Cidr::parse).toList();

    private final List<Cidr> allowed;

    public AddressPolicy(final List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    public boolean permits(final InetAddress address) {
        final InetAddress a = unmapped(address);
        if (allowed.stream().anyMatch(c -> c.contains(a))) {
            return true;
        }
        return REFUSED.stream().noneMatch(c -> c.contains(a));
    }

    /** ::ffff:a.b.c.d is judged as a.b.c.d. */
    private static InetAddress unmapped(final InetAddress address) {
        if (address instanceof Inet6Address) {
            final byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (final UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}

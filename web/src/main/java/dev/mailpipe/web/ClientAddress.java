package dev.mailpipe.web;

import dev.mailpipe.platform.Cidr;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's IP address for an event. Behind a load balancer or ingress the TCP peer is the
 * proxy; then, and only when the peer is one of the configured trusted proxies, the address is
 * the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy (entries further
 * left were written by the client and prove nothing). Without trusted proxies the header is ignored.
 */
final class ClientAddress {

    private final List<Cidr> trusted;

    ClientAddress(final List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** The client address of {@code req}, or null when the peer has no IP address. */
    String of(final ServerRequest req) {
        final SocketAddress address = req.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return of(inet.getAddress(), req.headers().values(HeaderNames.X_FORWARDED_FOR));
        }
        return null;
    }

    /** The address to record; {@code forwardedFor} are the X-Forwarded-For header values in order. */
    String of(final InetAddress peer, final List<String> forwardedFor) {
        if (peer == null) {
            return null;
        }
        if (trusted.isEmpty() || !isTrusted(peer) || forwardedFor.isEmpty()) {
            return peer.getHostAddress();
        }
        InetAddress client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            final String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                final InetAddress hop = literal(hops[i]);
                if (hop == null) {
                    return client.getHostAddress();
                }
                client = hop;
                if (!isTrusted(hop)) {
                    return hop.getHostAddress();
                }
            }
        }
        return client.getHostAddress();
    }

    private boolean isTrusted(final InetAddress address) {
        for (final Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** A literal IPv4 or IPv6 address (brackets and an IPv4 port tolerated); never a DNS lookup. */
    static InetAddress literal(final String text) {
        String s = text.strip();
        if (s.startsWith("[")) {
            final int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
            s = s.substring(0, s.indexOf(':')); // 203.0.113.7:4711
        }
        if (s.isEmpty() || s.length() > 45 || !(s.matches("[0-9.]+") && s.chars().filter(c -> c == '.').count() == 3
                || s.matches("[0-9A-Fa-f:.]+") && s.contains(":"))) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (final UnknownHostException e) {
            return null;
        }
    }
}

package dev.mailpipe.deliverer.dns;

import java.net.InetAddress;
import java.util.List;

/** An MX host to try, with its addresses in the order to try them. */
public record MxHost(String name, int preference, List<InetAddress> addresses) {

    public MxHost {
        addresses = List.copyOf(addresses);
    }
}

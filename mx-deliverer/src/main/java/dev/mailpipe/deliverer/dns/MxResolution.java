package dev.mailpipe.deliverer.dns;

import java.util.List;

/** What DNS says about where a domain's mail goes. */
public sealed interface MxResolution {

    /** Hosts to try in order; {@code implicit} when the domain had no MX and its own A/AAAA is used. */
    record Targets(List<MxHost> hosts, boolean implicit) implements MxResolution {
        public Targets {
            hosts = List.copyOf(hosts);
        }
    }

    /** The domain cannot receive mail (NXDOMAIN, null MX, no addresses at all): bounce. */
    record Permanent(String reason) implements MxResolution {
    }

    /** DNS could not answer now (SERVFAIL, timeout): defer. */
    record Temporary(String reason) implements MxResolution {
    }
}

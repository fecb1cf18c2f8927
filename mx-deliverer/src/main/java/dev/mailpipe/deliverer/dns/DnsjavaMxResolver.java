package dev.mailpipe.deliverer.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * MX resolution with dnsjava against configured resolvers. Answers (and NXDOMAIN/NODATA answers)
 * are kept in a dnsjava {@link Cache}, which expires every entry after its own TTL.
 */
public final class DnsjavaMxResolver implements MxResolver {

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);
    private final RandomGenerator random;

    private DnsjavaMxResolver(final Resolver resolver, final RandomGenerator random) {
        this.resolver = resolver;
        this.random = random;
    }

    /**
     * @param servers "host:port[,host:port]"; empty means the system's resolvers (resolv.conf)
     */
    public static DnsjavaMxResolver create(final String servers, final Duration timeout, final RandomGenerator random) {
        final List<Resolver> resolvers = new ArrayList<>();
        if (!servers.isBlank()) {
            for (final String one : servers.split(",")) {
                final String s = one.strip();
                final int colon = s.lastIndexOf(':');
                final SimpleResolver r = new SimpleResolver(new InetSocketAddress(
                        s.substring(0, colon).replace("[", "").replace("]", ""),
                        Integer.parseInt(s.substring(colon + 1))));
                r.setTimeout(timeout);
                resolvers.add(r);
            }
        }
        final ExtendedResolver resolver = resolvers.isEmpty() ? new ExtendedResolver() : new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        return new DnsjavaMxResolver(resolver, random);
    }

    @Override
    public MxResolution resolve(final String domain) {
        final Name name;
        try {
            name = Name.fromString(domain.toLowerCase(Locale.ROOT), Name.root);
        } catch (final TextParseException e) {
            return new MxResolution.Permanent("invalid domain '" + domain + "': " + e.getMessage());
        }
        final Lookup mx = lookup(name, Type.MX);
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> {
                return fromMx(domain, mx.getAnswers());
            }
            case Lookup.TYPE_NOT_FOUND -> {
                return implicitMx(domain, name);
            }
            case Lookup.HOST_NOT_FOUND -> {
                return new MxResolution.Permanent("domain " + domain + " does not exist (NXDOMAIN)");
            }
            default -> {
                return new MxResolution.Temporary("MX lookup for " + domain + " failed: " + mx.getErrorString());
            }
        }
    }

    private MxResolution fromMx(final String domain, final Record[] answers) {
        final List<MxRecord> records = new ArrayList<>();
        for (final Record r : answers) {
            if (r instanceof MXRecord m) {
                records.add(new MxRecord(hostName(m.getTarget()), m.getPriority()));
            }
        }
        if (MxOrdering.isNullMx(records)) {
            return new MxResolution.Permanent("domain " + domain + " accepts no mail (null MX, RFC 7505)");
        }
        final List<MxHost> hosts = new ArrayList<>();
        String temporary = null;
        for (final MxRecord record : MxOrdering.order(records, random)) {
            final AddressLookup found = addresses(record.host());
            if (!found.addresses().isEmpty()) {
                hosts.add(new MxHost(record.host(), record.preference(), found.addresses()));
            } else if (found.temporaryError() != null) {
                temporary = found.temporaryError();
            }
        }
        if (!hosts.isEmpty()) {
            return new MxResolution.Targets(hosts, false);
        }
        if (temporary != null) {
            return new MxResolution.Temporary(temporary);
        }
        return new MxResolution.Permanent("no MX host of " + domain + " has an address");
    }

    private MxResolution implicitMx(final String domain, final Name name) {
        final AddressLookup found = addresses(hostName(name));
        if (!found.addresses().isEmpty()) {
            return new MxResolution.Targets(List.of(new MxHost(domain, 0, found.addresses())), true);
        }
        if (found.temporaryError() != null) {
            return new MxResolution.Temporary(found.temporaryError());
        }
        return new MxResolution.Permanent("domain " + domain + " has neither MX nor address records");
    }

    private record AddressLookup(List<InetAddress> addresses, String temporaryError) {
    }

    /** IPv4 first, then IPv6 (the loopback test setup and most MX hosts answer on IPv4). */
    private AddressLookup addresses(final String host) {
        final Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (final TextParseException e) {
            return new AddressLookup(List.of(), null);
        }
        final List<InetAddress> addresses = new ArrayList<>();
        String temporary = null;
        for (final int type : new int[] {Type.A, Type.AAAA}) {
            final Lookup lookup = lookup(name, type);
            if (lookup.getResult() == Lookup.SUCCESSFUL) {
                for (final Record r : lookup.getAnswers()) {
                    if (r instanceof ARecord a) {
                        addresses.add(a.getAddress());
                    } else if (r instanceof AAAARecord a) {
                        addresses.add(a.getAddress());
                    }
                }
            } else if (lookup.getResult() == Lookup.TRY_AGAIN || lookup.getResult() == Lookup.UNRECOVERABLE) {
                temporary = "address lookup for " + host + " failed: " + lookup.getErrorString();
            }
        }
        return new AddressLookup(addresses, addresses.isEmpty() ? temporary : null);
    }

    private Lookup lookup(final Name name, final int type) {
        final Lookup lookup = new Lookup(name, type);
        lookup.setResolver(resolver);
        lookup.setCache(cache);
        lookup.setSearchPath((List<Name>) null);
        lookup.setHostsFileParser(null);
        lookup.run();
        return lookup;
    }

    private static String hostName(final Name name) {
        final String s = name.toString(true);
        return s.isEmpty() ? "." : s.toLowerCase(Locale.ROOT);
    }
}

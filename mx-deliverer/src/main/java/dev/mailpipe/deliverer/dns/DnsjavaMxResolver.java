package dev.mailpipe.deliverer.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
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
 * MX resolution with dnsjava against configured resolvers. Answers (and NXDOMAIN/NODATA answers
 * that carry an SOA) are kept in a dnsjava {@link Cache}, which expires every entry after its own
 * TTL. On top, a complete resolution of a domain (MX hosts with addresses) is kept until the
 * smallest TTL among its records runs out, and concurrent resolutions of one domain share a
 * single lookup — so a burst of mail to one domain costs one set of queries, not one per email
 * (NODATA answers without SOA, e.g. a missing AAAA, are otherwise not cacheable).
 */
public final class DnsjavaMxResolver implements MxResolver {

    private final Resolver resolver;
    private final Cache cache = new Cache(DClass.IN);
    private final RandomGenerator random;
    private final ConcurrentMap<String, CompletableFuture<Cached>> resolutions = new ConcurrentHashMap<>();

    /** A resolution and when it stops being valid (System.nanoTime based). */
    private record Cached(MxResolution resolution, long validUntil) {
    }

    private static final int MAX_CACHED_DOMAINS = 100_000;
    /** Upper bound on how long a resolution is kept, whatever the TTLs say (one day, like most resolvers). */
    private static final long MAX_TTL_SECONDS = 86_400;

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
        final String key = domain.toLowerCase(Locale.ROOT);
        while (true) {
            final CompletableFuture<Cached> existing = resolutions.get(key);
            if (existing != null) {
                final Cached cached = existing.join();
                if (cached.validUntil() - System.nanoTime() > 0) {
                    return cached.resolution();
                }
                resolutions.remove(key, existing);
                continue;
            }
            final CompletableFuture<Cached> mine = new CompletableFuture<>();
            if (resolutions.putIfAbsent(key, mine) != null) {
                continue;
            }
            Cached result = new Cached(new MxResolution.Temporary("resolution of " + domain + " failed"),
                    System.nanoTime());
            try {
                final long now = System.nanoTime();
                final Resolved resolved = lookupDomain(key);
                result = new Cached(resolved.resolution(), resolved.resolution() instanceof MxResolution.Targets
                        ? now + TimeUnit.SECONDS.toNanos(Math.min(resolved.ttl(), MAX_TTL_SECONDS)) : now);
                return resolved.resolution();
            } finally {
                mine.complete(result);
                if (result.validUntil() - System.nanoTime() <= 0) {
                    resolutions.remove(key, mine);
                } else if (resolutions.size() > MAX_CACHED_DOMAINS) {
                    evictExpired();
                }
            }
        }
    }

    private void evictExpired() {
        final long now = System.nanoTime();
        resolutions.entrySet().removeIf(e -> e.getValue().isDone() && e.getValue().join().validUntil() - now <= 0);
    }

    /** A resolution with the smallest TTL of the records it was built from. */
    private record Resolved(MxResolution resolution, long ttl) {
    }

    private Resolved lookupDomain(final String domain) {
        final Name name;
        try {
            name = Name.fromString(domain.toLowerCase(Locale.ROOT), Name.root);
        } catch (final TextParseException e) {
            return new Resolved(new MxResolution.Permanent("invalid domain '" + domain + "': " + e.getMessage()), 0);
        }
        final Lookup mx = lookup(name, Type.MX);
        return switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> fromMx(domain, mx.getAnswers());
            case Lookup.TYPE_NOT_FOUND -> implicitMx(domain, name);
            case Lookup.HOST_NOT_FOUND -> new Resolved(
                    new MxResolution.Permanent("domain " + domain + " does not exist (NXDOMAIN)"), 0);
            default -> new Resolved(
                    new MxResolution.Temporary("MX lookup for " + domain + " failed: " + mx.getErrorString()), 0);
        };
    }

    private Resolved fromMx(final String domain, final Record[] answers) {
        final List<MxRecord> records = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (final Record r : answers) {
            if (r instanceof MXRecord m) {
                records.add(new MxRecord(hostName(m.getTarget()), m.getPriority()));
                ttl = Math.min(ttl, m.getTTL());
            }
        }
        if (MxOrdering.isNullMx(records)) {
            return new Resolved(
                    new MxResolution.Permanent("domain " + domain + " accepts no mail (null MX, RFC 7505)"), 0);
        }
        final List<MxHost> hosts = new ArrayList<>();
        String temporary = null;
        for (final MxRecord record : MxOrdering.order(records, random)) {
            final AddressLookup found = addresses(record.host());
            if (!found.addresses().isEmpty()) {
                hosts.add(new MxHost(record.host(), record.preference(), found.addresses()));
                ttl = Math.min(ttl, found.ttl());
            } else if (found.temporaryError() != null) {
                temporary = found.temporaryError();
            }
        }
        if (!hosts.isEmpty()) {
            // a host skipped for a temporary failure must be retried soon: do not keep this answer
            return new Resolved(new MxResolution.Targets(hosts, false), temporary == null ? ttl : 0);
        }
        if (temporary != null) {
            return new Resolved(new MxResolution.Temporary(temporary), 0);
        }
        return new Resolved(new MxResolution.Permanent("no MX host of " + domain + " has an address"), 0);
    }

    private Resolved implicitMx(final String domain, final Name name) {
        final AddressLookup found = addresses(hostName(name));
        if (!found.addresses().isEmpty()) {
            return new Resolved(new MxResolution.Targets(List.of(new MxHost(domain, 0, found.addresses())), true),
                    found.ttl());
        }
        if (found.temporaryError() != null) {
            return new Resolved(new MxResolution.Temporary(found.temporaryError()), 0);
        }
        return new Resolved(
                new MxResolution.Permanent("domain " + domain + " has neither MX nor address records"), 0);
    }

    private record AddressLookup(List<InetAddress> addresses, String temporaryError, long ttl) {
    }

    /** IPv4 first, then IPv6 (the loopback test setup and most MX hosts answer on IPv4). */
    private AddressLookup addresses(final String host) {
        final Name name;
        try {
            name = Name.fromString(host, Name.root);
        } catch (final TextParseException e) {
            return new AddressLookup(List.of(), null, 0);
        }
        final List<InetAddress> addresses = new ArrayList<>();
        String temporary = null;
        long ttl = Long.MAX_VALUE;
        for (final int type : new int[] {Type.A, Type.AAAA}) {
            final Lookup lookup = lookup(name, type);
            if (lookup.getResult() == Lookup.SUCCESSFUL) {
                for (final Record r : lookup.getAnswers()) {
                    if (r instanceof ARecord a) {
                        addresses.add(a.getAddress());
                        ttl = Math.min(ttl, a.getTTL());
                    } else if (r instanceof AAAARecord a) {
                        addresses.add(a.getAddress());
                        ttl = Math.min(ttl, a.getTTL());
                    }
                }
            } else if (lookup.getResult() == Lookup.TRY_AGAIN || lookup.getResult() == Lookup.UNRECOVERABLE) {
                temporary = "address lookup for " + host + " failed: " + lookup.getErrorString();
            }
        }
        // with one family failing temporarily, use the other now but do not keep the answer
        return new AddressLookup(addresses, addresses.isEmpty() ? temporary : null, temporary != null ? 0 : ttl);
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

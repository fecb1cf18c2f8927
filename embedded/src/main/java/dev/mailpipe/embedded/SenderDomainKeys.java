package dev.mailpipe.embedded;

import dev.mailpipe.core.dkim.DkimAlgorithm;
import dev.mailpipe.core.dkim.DkimKeys;
import dev.mailpipe.core.dkim.DnsRecords;
import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.schemas.DkimAlgorithmName;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Making, rotating and describing a sender domain's keys (the model behind {@code ./mailpipe domains}). */
final class SenderDomainKeys {

    /** How long a rotated-out key stays listed, so its DNS record stays published while mail signed with it is in flight. */
    static final Duration GRACE = Duration.ofDays(7);
    private static final DateTimeFormatter SELECTOR_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private SenderDomainKeys() {
    }

    static DkimAlgorithm algorithm(final DkimAlgorithmName name) {
        return switch (name) {
            case rsa_sha256 -> DkimAlgorithm.RSA_SHA256;
            case ed25519_sha256 -> DkimAlgorithm.ED25519_SHA256;
            case unknown -> null;
        };
    }

    static DkimAlgorithmName name(final DkimAlgorithm algorithm) {
        return algorithm == DkimAlgorithm.RSA_SHA256 ? DkimAlgorithmName.rsa_sha256 : DkimAlgorithmName.ed25519_sha256;
    }

    /** {@code rsa-sha256}, {@code ed25519-sha256} or {@code both}. */
    static List<DkimAlgorithm> algorithms(final String option) {
        if (option.equalsIgnoreCase("both")) {
            return List.of(DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256);
        }
        return List.of(DkimAlgorithm.ofTag(option));
    }

    /** A selector not used by {@code domain} yet: {@code base} or, by default, {@code mp<yyyyMMdd>}, suffixed when taken. */
    static String freshSelector(final SenderDomain domain, final String base, final Instant now) {
        final Set<String> used = domain == null ? Set.of()
                : domain.getKeys().stream().map(DkimKeyRecord::getSelector).collect(Collectors.toSet());
        final String start = base == null || base.isBlank() ? "mp" + SELECTOR_DATE.format(now) : base;
        String candidate = start;
        for (int n = 2; used.contains(candidate) || used.contains(candidate + "-rsa")
                || used.contains(candidate + "-ed25519"); n++) {
            candidate = start + "-" + n;
        }
        return candidate;
    }

    /** One new key per algorithm; with two algorithms the selectors are {@code S-rsa} and {@code S-ed25519}. */
    static List<DkimKeyRecord> newKeys(final String domain, final String selector, final List<DkimAlgorithm> algorithms,
            final KeySealer sealer, final Instant now) {
        final List<DkimKeyRecord> keys = new ArrayList<>();
        for (final DkimAlgorithm algorithm : algorithms) {
            final String s = algorithms.size() == 1 ? selector
                    : selector + (algorithm == DkimAlgorithm.RSA_SHA256 ? "-rsa" : "-ed25519");
            final KeyPair pair = DkimKeys.generate(algorithm);
            keys.add(new DkimKeyRecord(s, name(algorithm), DkimKeys.dnsPublicKey(algorithm, pair.getPublic()),
                    ByteBuffer.wrap(sealer.seal(domain, s, pair.getPrivate().getEncoded())), now, null));
        }
        return keys;
    }

    /** Retires the active keys, drops retired ones past the grace period, adds {@code fresh}. */
    static SenderDomain rotate(final SenderDomain domain, final List<DkimKeyRecord> fresh, final Instant now) {
        final List<DkimKeyRecord> keys = new ArrayList<>();
        for (final DkimKeyRecord k : domain.getKeys()) {
            if (k.getRetiredAt() == null) {
                keys.add(DkimKeyRecord.newBuilder(k).setRetiredAt(now).build());
            } else if (k.getRetiredAt().plus(GRACE).isAfter(now)) {
                keys.add(k);
            }
        }
        keys.addAll(fresh);
        return SenderDomain.newBuilder(domain).setKeys(keys).setUpdatedAt(now).build();
    }

    static List<DkimKeyRecord> active(final SenderDomain domain) {
        return domain.getKeys().stream().filter(k -> k.getRetiredAt() == null).toList();
    }

    /** Keys still to be listed: active ones and retired ones within the grace period. */
    static List<DkimKeyRecord> listed(final SenderDomain domain, final Instant now) {
        return domain.getKeys().stream()
                .filter(k -> k.getRetiredAt() == null || k.getRetiredAt().plus(GRACE).isAfter(now)).toList();
    }

    static String record(final String domain, final DkimKeyRecord key) {
        final DkimAlgorithm algorithm = algorithm(key.getAlgorithm());
        return algorithm == null ? "; " + key.getSelector() + "._domainkey." + domain + ": unknown algorithm"
                : DnsRecords.keyRecord(key.getSelector(), domain, algorithm, key.getPublicKey());
    }
}

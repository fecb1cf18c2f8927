package dev.mailpipe.deliverer.dkim;

import dev.mailpipe.core.dkim.DkimAlgorithm;
import dev.mailpipe.core.dkim.DkimKeys;
import dev.mailpipe.core.dkim.DkimSigner;
import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.core.domains.DomainNames;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of each sender domain: the active (not retired) keys of the closest registered
 * domain, opened with the keys secret once and cached until the domain's record changes. A key that
 * does not open (another secret, unknown algorithm) is skipped and reported once.
 */
public final class DkimKeyring {

    private static final Logger LOG = LoggerFactory.getLogger(DkimKeyring.class);

    /** Why a domain's mail goes out unsigned. */
    public enum Unsigned { NO_KEYS, KEY_UNUSABLE }

    /** What {@link #keysFor} found: the keys to sign with, or why there are none. */
    public record Lookup(List<DkimSigner.Key> keys, Unsigned reason) {
    }

    private final Function<String, Optional<SenderDomain>> domains;
    private final KeySealer sealer;
    private final Map<String, List<DkimSigner.Key>> opened = new ConcurrentHashMap<>();
    private final Map<String, Boolean> reported = new ConcurrentHashMap<>();

    /**
     * @param domains the registered domain record by normalised name (a {@code CompactedTable} view)
     * @param sealer  opens the sealed private keys; {@code null} when no keys secret is configured
     */
    public DkimKeyring(final Function<String, Optional<SenderDomain>> domains, final KeySealer sealer) {
        this.domains = domains;
        this.sealer = sealer;
    }

    /** Forget the opened keys of {@code domain} (its record changed or was removed). */
    public void changed(final String domain) {
        opened.remove(domain);
    }

    public Lookup keysFor(final String fromDomain) {
        final Optional<SenderDomain> registered = DomainNames.closest(fromDomain, domains);
        if (registered.isEmpty() || registered.get().getKeys().stream().allMatch(k -> k.getRetiredAt() != null)) {
            return new Lookup(List.of(), Unsigned.NO_KEYS);
        }
        final SenderDomain d = registered.get();
        final List<DkimSigner.Key> keys = opened.computeIfAbsent(d.getDomain(), name -> open(d));
        return keys.isEmpty() ? new Lookup(keys, Unsigned.KEY_UNUSABLE) : new Lookup(keys, null);
    }

    private List<DkimSigner.Key> open(final SenderDomain d) {
        final List<DkimSigner.Key> keys = new ArrayList<>();
        for (final DkimKeyRecord k : d.getKeys()) {
            if (k.getRetiredAt() != null) {
                continue;
            }
            final String name = k.getSelector() + "._domainkey." + d.getDomain();
            final DkimAlgorithm algorithm = switch (k.getAlgorithm()) {
                case rsa_sha256 -> DkimAlgorithm.RSA_SHA256;
                case ed25519_sha256 -> DkimAlgorithm.ED25519_SHA256;
                case unknown -> null;
            };
            if (algorithm == null) {
                reportOnce(name, "its algorithm is unknown to this version");
                continue;
            }
            if (sealer == null) {
                reportOnce(name, "MAILPIPE_KEYS_SECRET is not set");
                continue;
            }
            try {
                final byte[] pkcs8 = sealer.open(d.getDomain(), k.getSelector(), bytes(k.getSealedPrivateKey()));
                keys.add(new DkimSigner.Key(d.getDomain(), k.getSelector(), algorithm, DkimKeys.privateKey(algorithm, pkcs8)));
            } catch (final IllegalArgumentException e) {
                reportOnce(name, e.getMessage());
            }
        }
        return List.copyOf(keys);
    }

    private void reportOnce(final String key, final String why) {
        if (reported.putIfAbsent(key + why, Boolean.TRUE) == null) {
            LOG.error("DKIM key {} cannot sign, mail from its domain goes out without it: {}", key, why);
        }
    }

    private static byte[] bytes(final ByteBuffer buffer) {
        final ByteBuffer view = buffer.duplicate();
        final byte[] b = new byte[view.remaining()];
        view.get(b);
        return b;
    }
}

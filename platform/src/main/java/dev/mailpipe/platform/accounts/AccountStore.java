package dev.mailpipe.platform.accounts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.core.accounts.Account;
import dev.mailpipe.core.accounts.Authenticator;
import dev.mailpipe.core.accounts.KeyHasher;
import dev.mailpipe.core.accounts.TrackingDefaults;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts, kept in the compacted topic {@code mail.accounts} (key = api_user, value = JSON
 * {@link Account}, tombstone = deleted) so every replica sees the same accounts; a
 * {@link CompactedTable} mirrors it (caught up at start, followed afterwards).
 *
 * <p>Verification is PBKDF2 and deliberately slow; a verified (user, key) pair is remembered as a
 * salted SHA-256 digest bound to the stored hash, so a rotated key or a disabled account is
 * effective as soon as the record arrives.
 */
public final class AccountStore implements Authenticator, AutoCloseable {

    public static final String TOPIC = "mail.accounts";

    private static final Logger LOG = LoggerFactory.getLogger(AccountStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Account JSON; an unreadable record fails its decode and is skipped by the table. */
    static final Serde<Account> SERDE = Serdes.serdeFrom(
            (topic, account) -> {
                try {
                    return JSON.writeValueAsBytes(account);
                } catch (final IOException e) {
                    throw new UncheckedIOException("cannot encode account " + account.apiUser(), e);
                }
            },
            (topic, bytes) -> {
                try {
                    return JSON.readValue(bytes, Account.class);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

    private final CompactedTable<Account> accounts;
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private final byte[] cacheSalt = new byte[32];
    private final Clock clock = Clock.systemUTC();

    private AccountStore(final CompactedTable<Account> accounts) {
        this.accounts = accounts;
        new SecureRandom().nextBytes(cacheSalt);
    }

    /** What the topic must look like: one partition (small, ordered), compacted. */
    public static TopicSpec topicSpec() {
        return CompactedTable.topicSpec(TOPIC);
    }

    /** Starts following the topic and returns once everything already in it was read. */
    public static AccountStore start(final String bootstrap, final String clientId) {
        return new AccountStore(CompactedTable.start(bootstrap, clientId, TOPIC, SERDE));
    }

    @Override
    public boolean verify(final String apiUser, final String apiKey) {
        final Account account = accounts.get(apiUser).orElse(null);
        final String stored = account == null ? null : account.keyHash();
        final String digest = digest(apiUser, apiKey);
        if (stored != null && stored.equals(verified.get(digest))) {
            return account.enabled();
        }
        final boolean ok = KeyHasher.verify(apiKey, stored);
        if (ok) {
            if (verified.size() > 10_000) {
                verified.clear();
            }
            verified.put(digest, stored);
        }
        return ok && account.enabled();
    }

    @Override
    public TrackingDefaults trackingDefaults(final String apiUser) {
        final Account.Filters f = accounts.get(apiUser).map(Account::filters).orElse(null);
        return f == null ? null : new TrackingDefaults(f.subscriptionTracking(), f.openTracking(), f.clickTracking(),
                f.unsubscribeFooterText());
    }

    /** True while the topic is being followed (account changes arrive). */
    public boolean isFollowing() {
        return accounts.isFollowing();
    }

    public Optional<Account> get(final String apiUser) {
        return accounts.get(apiUser);
    }

    public Collection<Account> all() {
        return accounts.all().values().stream().sorted(Comparator.comparing(Account::apiUser)).toList();
    }

    /**
     * Makes sure {@code apiUser} exists, is enabled and has {@code apiKey} (the first account from
     * the environment); writes only when something differs.
     */
    public void ensure(final String apiUser, final String apiKey) {
        final Account existing = accounts.get(apiUser).orElse(null);
        if (existing != null && existing.enabled() && KeyHasher.verify(apiKey, existing.keyHash())) {
            return;
        }
        final long now = clock.millis();
        final Account account = existing == null
                ? new Account(apiUser, KeyHasher.hash(apiKey), true, Account.Filters.NONE, now, now)
                : existing.withKeyHash(KeyHasher.hash(apiKey), now).withEnabled(true, now);
        put(account);
        LOG.info("account {} {} from the environment", apiUser, existing == null ? "created" : "updated");
    }

    /** Writes an account and waits for the acknowledgement; this replica sees it at once. */
    public void put(final Account account) {
        accounts.put(account.apiUser(), account);
    }

    private String digest(final String apiUser, final String apiKey) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cacheSalt);
            sha.update(apiUser.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(apiKey.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        accounts.close();
    }
}

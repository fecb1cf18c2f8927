package dev.mailpipe.ingest.accounts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.ingest.smtp.Authenticator;
import dev.mailpipe.ingest.smtp.TrackingDefaults;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts, kept in the compacted topic {@code mail.accounts} (key = api_user, value = JSON
 * {@link Account}, tombstone = deleted) so every replica sees the same accounts. Each replica
 * reads the whole topic at start (returns only when caught up) and follows it afterwards.
 *
 * <p>Verification is PBKDF2 and deliberately slow; a verified (user, key) pair is remembered as a
 * salted SHA-256 digest bound to the stored hash, so a rotated key or a disabled account is
 * effective as soon as the record arrives.
 */
public final class AccountStore implements Authenticator, AutoCloseable {

    public static final String TOPIC = "mail.accounts";

    private static final Logger LOG = LoggerFactory.getLogger(AccountStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private final byte[] cacheSalt = new byte[32];
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread follower;
    private final Clock clock = Clock.systemUTC();
    private volatile boolean closed;

    private AccountStore(final String bootstrap, final String clientId) {
        new SecureRandom().nextBytes(cacheSalt);
        final Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-accounts");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        final Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-accounts");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        this.follower = new Thread(this::follow, "mailpipe-accounts");
        this.follower.setDaemon(true);
    }

    /** What the topic must look like: one partition (small, ordered), compacted. */
    public static TopicSpec topicSpec() {
        return new TopicSpec(TOPIC, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0"));
    }

    /** Starts following the topic and returns once everything already in it was read. */
    public static AccountStore start(final String bootstrap, final String clientId) {
        final AccountStore store = new AccountStore(bootstrap, clientId);
        try {
            final List<TopicPartition> partitions = store.consumer.partitionsFor(TOPIC, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            if (partitions.isEmpty()) {
                // Following nothing would leave this replica blind to every later account change.
                throw new IllegalStateException("topic " + TOPIC + " does not exist; create it first "
                        + "(ingest-smtp and the accounts CLI create it when missing)");
            }
            store.consumer.assign(partitions);
            store.consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = store.consumer.endOffsets(partitions, Duration.ofSeconds(60));
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!caughtUp(store.consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read topic " + TOPIC + " within 60 s");
                }
                store.apply(store.consumer.poll(Duration.ofMillis(200)));
            }
        } catch (final RuntimeException e) {
            store.consumer.close();
            store.producer.close();
            throw e;
        }
        store.follower.start();
        LOG.info("{} accounts loaded from {}", store.accounts.size(), TOPIC);
        return store;
    }

    private static boolean caughtUp(final KafkaConsumer<?, ?> consumer, final Map<TopicPartition, Long> end) {
        for (final Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void follow() {
        try {
            while (!closed) {
                apply(consumer.poll(Duration.ofMillis(500)));
            }
        } catch (final WakeupException e) {
            // closing
        } catch (final RuntimeException e) {
            LOG.error("stopped following {}: accounts are no longer updated", TOPIC, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(final Iterable<ConsumerRecord<String, byte[]>> records) {
        for (final ConsumerRecord<String, byte[]> r : records) {
            if (r.key() == null) {
                continue;
            }
            if (r.value() == null) {
                accounts.remove(r.key());
                continue;
            }
            try {
                accounts.put(r.key(), JSON.readValue(r.value(), Account.class));
            } catch (final IOException e) {
                LOG.warn("ignoring unreadable account record {} at offset {}: {}", r.key(), r.offset(), e.getMessage());
            }
        }
    }

    @Override
    public boolean verify(final String apiUser, final String apiKey) {
        final Account account = accounts.get(apiUser);
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
        final Account account = accounts.get(apiUser);
        final Account.Filters f = account == null ? null : account.filters();
        return f == null ? null : new TrackingDefaults(f.subscriptionTracking(), f.openTracking(), f.clickTracking());
    }

    /** True while the topic is being followed (account changes arrive). */
    public boolean isFollowing() {
        return !closed && follower.isAlive();
    }

    public Optional<Account> get(final String apiUser) {
        return Optional.ofNullable(accounts.get(apiUser));
    }

    public Collection<Account> all() {
        return accounts.values().stream().sorted(java.util.Comparator.comparing(Account::apiUser))
                .collect(Collectors.toList());
    }

    /**
     * Makes sure {@code apiUser} exists, is enabled and has {@code apiKey} (the first account from
     * the environment); writes only when something differs.
     */
    public void ensure(final String apiUser, final String apiKey) {
        final Account existing = accounts.get(apiUser);
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
        try {
            producer.send(new ProducerRecord<>(TOPIC, account.apiUser(), JSON.writeValueAsBytes(account)))
                    .get(30, TimeUnit.SECONDS);
        } catch (final IOException e) {
            throw new IllegalStateException("cannot encode account " + account.apiUser(), e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write account " + account.apiUser() + " to " + TOPIC + ": " + e.getMessage(), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            follower.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}

package dev.mailpipe.platform.limits;

import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-api_user budget per clock minute that holds across replicas. Each replica counts its own
 * submissions exactly and publishes its count for the current minute to the topic
 * {@code mail.ingest.rate-counts} (key {@code instance|api_user}, value {@code minute:count})
 * every sync interval; every replica reads that topic and admits a submission only while
 * {@code own count + the other replicas' last published counts < limit}. The overshoot is bounded
 * by what other replicas admit within one sync interval plus transit time.
 */
public final class ClusterRateLimiter implements RateLimiter, AutoCloseable {

    public static final String TOPIC = "mail.ingest.rate-counts";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRateLimiter.class);

    /** A count for one minute. */
    private record Count(long minute, int count) {
    }

    private final String instance;
    private final int limit;
    private final Clock clock;
    private final Map<String, Count> local = new ConcurrentHashMap<>();
    private final Map<String, Count> published = new ConcurrentHashMap<>();
    /** api_user → (instance → count), other replicas only. */
    private final Map<String, Map<String, Count>> remote = new ConcurrentHashMap<>();
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread publisher;
    private final Thread follower;
    private final Duration sync;
    private volatile boolean closed;

    private ClusterRateLimiter(final String bootstrap, final String instance, final int limit, final Duration sync,
            final Clock clock) {
        this.instance = instance;
        this.limit = limit;
        this.sync = sync;
        this.clock = clock;
        final Map<String, Object> p = KafkaDefaults.client(bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "mailpipe-ratelimit-" + instance);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        final Map<String, Object> c = KafkaDefaults.client(bootstrap);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "mailpipe-ratelimit-" + instance);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        this.publisher = new Thread(this::publishLoop, "mailpipe-ratelimit-publish");
        this.publisher.setDaemon(true);
        this.follower = new Thread(this::followLoop, "mailpipe-ratelimit-follow");
        this.follower.setDaemon(true);
    }

    /** One partition, compacted and short-lived: only the current minute matters. */
    public static TopicSpec topicSpec() {
        return new TopicSpec(TOPIC, 1, Map.of("cleanup.policy", "compact,delete", "retention.ms", "600000",
                "segment.ms", "600000"));
    }

    /**
     * Starts publishing and following; returns at once (counts published before this replica
     * started are read from the beginning of the topic).
     */
    public static ClusterRateLimiter start(final String bootstrap, final String instance, final int limitPerMinute,
            final Duration sync, final Clock clock) {
        final ClusterRateLimiter limiter = new ClusterRateLimiter(bootstrap, instance, limitPerMinute, sync, clock);
        final List<TopicPartition> partitions = limiter.consumer.partitionsFor(TOPIC, Duration.ofSeconds(60)).stream()
                .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
        limiter.consumer.assign(partitions);
        limiter.consumer.seekToBeginning(partitions);
        limiter.publisher.start();
        limiter.follower.start();
        return limiter;
    }

    @Override
    public boolean tryAcquire(final String apiUser) {
        final long minute = clock.millis() / 60_000;
        final int others = remoteCount(apiUser, minute);
        final boolean[] admitted = {false};
        local.compute(apiUser, (user, count) -> {
            final int mine = count == null || count.minute() != minute ? 0 : count.count();
            if (mine + others >= limit) {
                return count;
            }
            admitted[0] = true;
            return new Count(minute, mine + 1);
        });
        return admitted[0];
    }

    /** What the other replicas last reported for {@code apiUser} in the current minute. */
    public int remoteCount(final String apiUser) {
        return remoteCount(apiUser, clock.millis() / 60_000);
    }

    private int remoteCount(final String apiUser, final long minute) {
        final Map<String, Count> byInstance = remote.get(apiUser);
        if (byInstance == null) {
            return 0;
        }
        int sum = 0;
        for (final Count c : byInstance.values()) {
            if (c.minute() == minute) {
                sum += c.count();
            }
        }
        return sum;
    }

    private void publishLoop() {
        while (!closed) {
            try {
                Thread.sleep(sync.toMillis()); // a pacing interval, not a wait for a condition
                publish();
            } catch (final InterruptedException e) {
                return;
            } catch (final RuntimeException e) {
                LOG.warn("cannot publish rate counts: {}", e.getMessage());
            }
        }
    }

    private void publish() {
        local.forEach((user, count) -> {
            if (!count.equals(published.get(user))) {
                producer.send(new ProducerRecord<>(TOPIC, instance + "|" + user, count.minute() + ":" + count.count()));
                published.put(user, count);
            }
        });
        final long minute = clock.millis() / 60_000;
        local.entrySet().removeIf(e -> e.getValue().minute() < minute - 1);
        published.entrySet().removeIf(e -> e.getValue().minute() < minute - 1);
    }

    private void followLoop() {
        try {
            while (!closed) {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    apply(r.key(), r.value());
                }
            }
        } catch (final WakeupException e) {
            // closing
        } catch (final RuntimeException e) {
            LOG.error("stopped following {}: other replicas' counts are no longer seen", TOPIC, e);
        } finally {
            consumer.close();
        }
    }

    private void apply(final String key, final String value) {
        if (key == null || value == null) {
            return;
        }
        final int bar = key.indexOf('|');
        final int colon = value.indexOf(':');
        if (bar < 0 || colon < 0) {
            return;
        }
        final String from = key.substring(0, bar);
        if (from.equals(instance)) {
            return;
        }
        try {
            final Count count = new Count(Long.parseLong(value.substring(0, colon)), Integer.parseInt(value.substring(colon + 1)));
            remote.computeIfAbsent(key.substring(bar + 1), u -> new ConcurrentHashMap<>()).merge(from, count,
                    (old, neu) -> neu.minute() > old.minute() || (neu.minute() == old.minute() && neu.count() > old.count())
                            ? neu : old);
        } catch (final NumberFormatException e) {
            LOG.debug("ignoring malformed rate count {}={}", key, value);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        publisher.interrupt();
        consumer.wakeup();
        try {
            publisher.join(5_000);
            follower.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            publish();
        } catch (final RuntimeException e) {
            // best effort
        }
        producer.close(Duration.ofSeconds(5));
    }
}

package dev.mailpipe.deliverer;

import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.deliverer.dkim.DkimKeyring;
import dev.mailpipe.deliverer.dkim.MessageSigner;
import dev.mailpipe.deliverer.dns.AddressPolicy;
import dev.mailpipe.deliverer.dns.DnsjavaMxResolver;
import dev.mailpipe.deliverer.smtp.SmtpTimeouts;
import dev.mailpipe.deliverer.smtp.SocketTransport;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.KafkaProbe;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mx-deliverer service: a consumer group member on {@code mail.outbound} and the retry
 * topics that delivers each email to its recipient domain's MX and publishes the outcome on
 * {@code mail.delivery-events}. Scale out by starting more instances with the same group id.
 */
public final class MxDelivererApp implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(MxDelivererApp.class);

    private final DeliveryLoop loop;
    private final Thread loopThread;
    private final ExecutorService workers;
    private final Publisher publisher;
    private final ConnectionPool pool;
    private final Duration grace;
    private final String bootstrapServers;
    private final CompactedTable<SenderDomain> domains;
    private volatile boolean closed;

    private MxDelivererApp(final DeliveryLoop loop, final ExecutorService workers, final Publisher publisher,
            final ConnectionPool pool, final Duration grace, final String bootstrapServers,
            final CompactedTable<SenderDomain> domains) {
        this.bootstrapServers = bootstrapServers;
        this.domains = domains;
        this.loop = loop;
        this.workers = workers;
        this.publisher = publisher;
        this.pool = pool;
        this.grace = grace;
        this.loopThread = Thread.ofPlatform().name("mx-deliverer-consumer").unstarted(loop);
    }

    /** Creates missing topics, joins the consumer group and returns while deliveries run in the background. */
    public static MxDelivererApp start(final MxDelivererConfig config, final MeterRegistry registry) {
        return start(config, registry, Clock.systemUTC());
    }

    static MxDelivererApp start(final MxDelivererConfig config, final MeterRegistry registry, final Clock clock) {
        final String bootstrap = config.getString(MxDelivererConfig.BOOTSTRAP_SERVERS);
        final RetryPolicy policy = new RetryPolicy(config.retryDelays(), config.retryMaxAge());
        TopicProvisioner.ensure(bootstrap, config.getInt(MxDelivererConfig.TOPIC_REPLICATION_FACTOR),
                kafkaAccess(config).topics());
        final List<String> consumed = consumedTopics(policy);
        final String clientId = "mx-deliverer-" + UUID.randomUUID().toString().substring(0, 8);
        final DkimKeyring[] keyring = new DkimKeyring[1];
        final CompactedTable<SenderDomain> domains = CompactedTable.start(bootstrap, clientId, Topics.DOMAINS.name(),
                Topics.DOMAINS.valueSerde(), (domain, value) -> {
                    if (keyring[0] != null) {
                        keyring[0].changed(domain);
                    }
                });
        final String secret = config.getPassword(MxDelivererConfig.KEYS_SECRET).value();
        keyring[0] = new DkimKeyring(domains::get, secret.isBlank() ? null : KeySealer.of(secret));
        if (secret.isBlank()) {
            LOG.warn("MAILPIPE_KEYS_SECRET is not set: mail is sent without DKIM signatures");
        }
        final MessageSigner signer = new MessageSigner(keyring[0], clock, registry);

        final SmtpTimeouts timeouts = new SmtpTimeouts(
                config.millis(MxDelivererConfig.MX_TIMEOUT_CONNECT_MS),
                config.millis(MxDelivererConfig.MX_TIMEOUT_GREETING_MS),
                config.millis(MxDelivererConfig.MX_TIMEOUT_COMMAND_MS),
                config.millis(MxDelivererConfig.MX_TIMEOUT_DATA_INIT_MS),
                config.millis(MxDelivererConfig.MX_TIMEOUT_DATA_BLOCK_MS),
                config.millis(MxDelivererConfig.MX_TIMEOUT_DATA_END_MS));
        final ConnectionPool pool = new ConnectionPool(config.getInt(MxDelivererConfig.MX_CONNECTION_MAX_MESSAGES),
                config.millis(MxDelivererConfig.MX_CONNECTION_IDLE_MS));
        final MxDeliverer deliverer = new MxDeliverer(
                DnsjavaMxResolver.create(config.getString(MxDelivererConfig.DNS),
                        config.millis(MxDelivererConfig.DNS_TIMEOUT_MS), new SecureRandom()),
                new AddressPolicy(config.allowedNetworks()),
                config.getInt(MxDelivererConfig.MX_PORT), timeouts, config.ehloName(),
                config.getBoolean(MxDelivererConfig.MX_TLS), pool,
                new DestinationLimiter(config.getInt(MxDelivererConfig.MX_DESTINATION_CONCURRENCY)),
                (address, host, timeout) -> SocketTransport.connect(address, host, timeout, timeouts.dataBlock()),
                signer);

        final Publisher publisher = new Publisher(new KafkaProducer<>(
                KafkaDefaults.producer(bootstrap, clientId), new StringSerializer(), new ByteArraySerializer()));
        final Map<String, Object> consumerProps = KafkaDefaults.with(
                KafkaDefaults.consumer(bootstrap, config.getString(MxDelivererConfig.GROUP_ID)),
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.getInt(MxDelivererConfig.SESSION_TIMEOUT_MS),
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                        Math.max(100, config.getInt(MxDelivererConfig.SESSION_TIMEOUT_MS) / 3),
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(200, config.getInt(MxDelivererConfig.MAX_IN_FLIGHT))));
        config.groupInstanceId().ifPresent(id -> consumerProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new ByteArrayDeserializer());
        final ExecutorService workers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("mx-delivery-", 0).factory());
        final Duration grace = config.millis(MxDelivererConfig.SHUTDOWN_GRACE_MS);
        final DeliveryLoop loop = new DeliveryLoop(consumer, List.copyOf(consumed),
                new RecordProcessor(deliverer, policy, clock, registry), publisher, policy, workers, clock,
                config.getInt(MxDelivererConfig.MAX_IN_FLIGHT), grace);
        Gauge.builder("mailpipe.deliverer.in.flight", loop, DeliveryLoop::inFlight)
                .description("Deliveries in progress").register(registry);
        final MxDelivererApp app = new MxDelivererApp(loop, workers, publisher, pool, grace, bootstrap, domains);
        app.loopThread.start();
        LOG.info("mx-deliverer consuming {} as group {} (MX port {}, DNS {})", consumed,
                config.getString(MxDelivererConfig.GROUP_ID), config.getInt(MxDelivererConfig.MX_PORT),
                config.getString(MxDelivererConfig.DNS).isBlank() ? "system" : config.getString(MxDelivererConfig.DNS));
        return app;
    }

    private static List<String> consumedTopics(final RetryPolicy policy) {
        final List<String> consumed = new ArrayList<>();
        consumed.add(Topics.OUTBOUND.name());
        policy.stages().forEach(s -> consumed.add(s.topic()));
        return consumed;
    }

    /**
     * The topics the deliverer uses: its group consumes {@code mail.outbound} and the retry topics;
     * it writes retries, outcomes on {@code mail.delivery-events}, expired emails to the DLT and hard
     * bounces to {@code mail.suppressions}; it mirrors {@code mail.domains} (DKIM keys). {@link #start}
     * creates exactly these topics.
     */
    public static KafkaAccess kafkaAccess(final MxDelivererConfig config) {
        final RetryPolicy policy = new RetryPolicy(config.retryDelays(), config.retryMaxAge());
        final int partitions = config.getInt(MxDelivererConfig.TOPIC_PARTITIONS);
        final List<String> consumed = consumedTopics(policy);
        final List<TopicSpec> specs = new ArrayList<>();
        consumed.forEach(t -> specs.add(new TopicSpec(t, partitions, KafkaDefaults.topicConfig())));
        specs.add(new TopicSpec(Topics.DELIVERY_EVENTS.name(), partitions, KafkaDefaults.topicConfig()));
        specs.add(new TopicSpec(Topics.OUTBOUND_DLT.name(), partitions, KafkaDefaults.topicConfig()));
        specs.add(CompactedTable.topicSpec(Topics.SUPPRESSIONS.name())); // hard bounces are written there
        specs.add(CompactedTable.topicSpec(Topics.DOMAINS.name()));
        final Set<String> reads = new HashSet<>(consumed);
        reads.add(Topics.DOMAINS.name());
        final Set<String> writes = new HashSet<>(consumed.subList(1, consumed.size()));
        writes.add(Topics.DELIVERY_EVENTS.name());
        writes.add(Topics.OUTBOUND_DLT.name());
        writes.add(Topics.SUPPRESSIONS.name());
        return new KafkaAccess(specs, Set.copyOf(reads), writes,
                Optional.of(new KafkaAccess.ConsumerGroup(config.getString(MxDelivererConfig.GROUP_ID),
                        Set.copyOf(consumed))),
                Optional.empty());
    }

    @Override
    public String name() {
        return "mx-deliverer";
    }

    @Override
    public boolean isReady() {
        return !closed && loopThread.isAlive();
    }

    /**
     * Graceful stop: stop fetching, let in-flight deliveries finish within the grace period,
     * commit what completed, hand back the rest (redelivered by the next owner), close clients.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // During a Kafka outage no output can be acknowledged and no offset committed: waiting for
        // in-flight deliveries would only hold a SIGTERM. Their records are redelivered.
        final boolean kafka = KafkaProbe.reachable(bootstrapServers, Duration.ofMillis(500));
        if (!kafka) {
            LOG.warn("Kafka is unreachable: stopping without waiting for in-flight deliveries");
        }
        final Duration clientTimeout = kafka ? Duration.ofSeconds(10) : Duration.ofSeconds(1);
        loop.stop(kafka ? grace : Duration.ZERO, clientTimeout);
        try {
            loopThread.join(grace.plusSeconds(15).toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.close(clientTimeout);
        pool.close();
        domains.close();
        LOG.info("mx-deliverer stopped");
    }

    public static void main(final String[] args) {
        final MxDelivererConfig config = Runner.configOrExit("mx-deliverer", () -> {
            final MxDelivererConfig c = MxDelivererConfig.fromEnvironment(System.getenv());
            LocalHost.requireFqdn(c.ehloName());
            return c;
        });
        Runner.runUntilStopped(config.getString(MxDelivererConfig.HTTP_HOST),
                config.getInt(MxDelivererConfig.HTTP_PORT), registry -> List.of(start(config, registry)));
    }
}

package dev.mailpipe.webhooks;

import dev.mailpipe.platform.Durations;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.webhooks.http.HttpPoster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * The webhooks service: a consumer group member on {@code mail.delivery-events} and the webhook
 * retry topics that posts every event to the URLs its account subscribed, in SendCloud's format,
 * signed; failed posts wait in {@code mail.webhooks.retry-*} and end in {@code mail.webhooks.dlt}.
 * Scale out by starting more instances with the same group id.
 */
public final class WebhooksApp implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(WebhooksApp.class);

    private final WebhookLoop loop;
    private final Thread loopThread;
    private final ExecutorService workers;
    private final KafkaProducer<String, byte[]> producer;
    private final WebhookStore store;
    private final HttpPoster poster;
    private final Duration grace;
    private volatile boolean closed;

    private WebhooksApp(final WebhookLoop loop, final ExecutorService workers, final KafkaProducer<String, byte[]> producer,
            final WebhookStore store, final HttpPoster poster, final Duration grace) {
        this.loop = loop;
        this.workers = workers;
        this.producer = producer;
        this.store = store;
        this.poster = poster;
        this.grace = grace;
        this.loopThread = Thread.ofPlatform().name("webhooks-consumer").unstarted(loop);
    }

    /** The topics this service needs, created when missing. */
    static List<TopicSpec> topics(final WebhooksConfig config) {
        final int partitions = config.getInt(WebhooksConfig.TOPIC_PARTITIONS);
        final List<TopicSpec> specs = new ArrayList<>();
        specs.add(WebhookStore.topicSpec());
        specs.add(new TopicSpec(Topics.DELIVERY_EVENTS.name(), partitions, KafkaDefaults.topicConfig()));
        config.retrySchedule().stages().stream().map(RetrySchedule.Stage::topic).distinct()
                .forEach(t -> specs.add(new TopicSpec(t, partitions, KafkaDefaults.topicConfig())));
        specs.add(new TopicSpec(Topics.WEBHOOKS_DLT.name(), partitions, KafkaDefaults.topicConfig()));
        return specs;
    }

    /**
     * The topics the webhooks service uses: its group consumes {@code mail.delivery-events} and the
     * retry topics; it mirrors {@code mail.webhooks} (the endpoints, written by the CLI) and writes
     * retries and dead letters.
     */
    public static KafkaAccess kafkaAccess(final WebhooksConfig config) {
        final Set<String> consumed = new LinkedHashSet<>();
        consumed.add(Topics.DELIVERY_EVENTS.name());
        config.retrySchedule().stages().stream().map(RetrySchedule.Stage::topic).forEach(consumed::add);
        final Set<String> reads = new LinkedHashSet<>(consumed);
        reads.add(Topics.WEBHOOKS.name());
        final Set<String> writes = new LinkedHashSet<>(consumed);
        writes.remove(Topics.DELIVERY_EVENTS.name());
        writes.add(Topics.WEBHOOKS_DLT.name());
        return new KafkaAccess(topics(config), reads, writes,
                Optional.of(new KafkaAccess.ConsumerGroup(config.getString(WebhooksConfig.GROUP_ID), consumed)),
                Optional.empty());
    }

    /** Creates missing topics, loads the endpoints, joins the group and returns while posting runs. */
    public static WebhooksApp start(final WebhooksConfig config, final MeterRegistry registry) {
        final String bootstrap = config.getString(WebhooksConfig.BOOTSTRAP_SERVERS);
        final RetrySchedule schedule = config.retrySchedule();
        TopicProvisioner.ensure(bootstrap, config.getInt(WebhooksConfig.TOPIC_REPLICATION_FACTOR), topics(config));
        final List<String> consumed = new ArrayList<>();
        consumed.add(Topics.DELIVERY_EVENTS.name());
        schedule.stages().stream().map(RetrySchedule.Stage::topic).distinct().forEach(consumed::add);

        final String clientId = "webhooks-" + UUID.randomUUID().toString().substring(0, 8);
        final WebhookStore store = WebhookStore.start(bootstrap, clientId);
        final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaDefaults.producer(bootstrap, clientId),
                new StringSerializer(), new ByteArraySerializer());
        final WebhookMetrics metrics = new WebhookMetrics(registry);
        final Clock clock = Clock.systemUTC();
        final HttpPoster poster = new HttpPoster(config.networkPolicy(), config.duration(WebhooksConfig.TIMEOUT));
        final ExecutorService workers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("webhook-post-", 0).factory());
        final EndpointLanes lanes = new EndpointLanes(store::get,
                (url, request) -> poster.post(url, request.contentType(), request.headers(), request.body()),
                new Settler(producer, schedule, metrics, clock), metrics, workers, clock,
                new EndpointLanes.Limits(config.getInt(WebhooksConfig.ENDPOINT_CONCURRENCY),
                        config.getInt(WebhooksConfig.ENDPOINT_QUEUE), config.getInt(WebhooksConfig.BATCH_SIZE),
                        config.getInt(WebhooksConfig.CIRCUIT_FAILURES), config.duration(WebhooksConfig.CIRCUIT_OPEN),
                        config.duration(WebhooksConfig.TIMEOUT).dividedBy(3)));
        final KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaDefaults.with(
                KafkaDefaults.consumer(bootstrap, config.getString(WebhooksConfig.GROUP_ID)),
                Map.of(ConsumerConfig.CLIENT_ID_CONFIG, clientId, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500)),
                new StringDeserializer(), new ByteArrayDeserializer());
        final Duration grace = config.duration(WebhooksConfig.SHUTDOWN_GRACE);
        final WebhookLoop loop = new WebhookLoop(consumer, List.copyOf(consumed), new Router(store, schedule), lanes,
                schedule, clock, config.getInt(WebhooksConfig.MAX_IN_FLIGHT), grace);
        Gauge.builder("mailpipe.webhooks.in.flight", loop, WebhookLoop::inFlight)
                .description("Events read but not yet settled").register(registry);
        Gauge.builder("mailpipe.webhooks.queued", lanes, EndpointLanes::pending)
                .description("Posts waiting or in progress over all endpoints").register(registry);
        final WebhooksApp app = new WebhooksApp(loop, workers, producer, store, poster, grace);
        app.loopThread.start();
        LOG.info("webhooks consuming {} as group {} ({} endpoints, timeout {}, retries {})", consumed,
                config.getString(WebhooksConfig.GROUP_ID), store.all().size(),
                Durations.format(config.duration(WebhooksConfig.TIMEOUT)), config.getList(WebhooksConfig.RETRY_DELAYS));
        return app;
    }

    @Override
    public String name() {
        return "webhooks";
    }

    @Override
    public boolean isReady() {
        return !closed && loopThread.isAlive() && store.isFollowing();
    }

    /** Graceful stop: stop fetching, let posts settle within the grace period, commit, close clients. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
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
        producer.close(Duration.ofSeconds(5));
        poster.close();
        store.close();
        LOG.info("webhooks stopped");
    }

    public static void main(final String[] args) {
        final WebhooksConfig config = Runner.configOrExit("webhooks", () -> WebhooksConfig.fromEnvironment(System.getenv()));
        Runner.runUntilStopped(config.getString(WebhooksConfig.HTTP_HOST), config.getInt(WebhooksConfig.HTTP_PORT),
                registry -> List.of(start(config, registry)));
    }
}

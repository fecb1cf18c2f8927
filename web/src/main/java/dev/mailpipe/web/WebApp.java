package dev.mailpipe.web;

import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.limits.FailedAuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.core.tracking.TrackingTokens;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.platform.limits.ClusterRateLimiter;
import dev.mailpipe.platform.lists.ListTopics;
import dev.mailpipe.platform.queue.KafkaSubmitter;
import dev.mailpipe.platform.stats.StatsTopic;
import dev.mailpipe.schemas.DeliveryStats;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.web.api.AddressBook;
import dev.mailpipe.web.api.ApiRoutes;
import dev.mailpipe.platform.TlsContexts;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The web service: serves the tracking pixel, click redirects and unsubscribe links that the
 * expander puts into mail ({@code /o /c /u}, see {@link TrackingRoutes}), writes open, click and
 * unsubscribe events and suppressions. Stateless: scale it like the others.
 */
public final class WebApp implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(WebApp.class);

    /** Keep the first request line and headers small: tokens are a few hundred bytes. */
    static final int MAX_PROLOGUE_BYTES = 16 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private final WebServer server;
    private final Outbox outbox;
    private final RequestDeadline deadline;
    private final String publicUrl;
    private final List<AutoCloseable> api;
    private volatile boolean closed;

    private WebApp(final WebServer server, final Outbox outbox, final RequestDeadline deadline, final String publicUrl,
            final List<AutoCloseable> api) {
        this.server = server;
        this.outbox = outbox;
        this.deadline = deadline;
        this.publicUrl = publicUrl;
        this.api = api;
    }

    /** Creates missing topics, starts the producer and the HTTP server, returns once it serves. */
    public static WebApp start(final WebConfig config, final MeterRegistry registry) {
        return start(config, registry, Clock.systemUTC());
    }

    /** As {@link #start(WebConfig, MeterRegistry)} on {@code clock} (tests move the rate-limit minute). */
    static WebApp start(final WebConfig config, final MeterRegistry registry, final Clock clock) {
        final String bootstrap = config.getString(WebConfig.BOOTSTRAP_SERVERS);
        TopicProvisioner.ensure(bootstrap, config.getInt(WebConfig.TOPIC_REPLICATION_FACTOR),
                kafkaAccess(config).topics());
        // The Web API: the same accounts, mail.raw submitter, rate budget and sender domains as SMTP
        // ingest. "web-" keeps this replica's rate counts and messageIds apart from an ingest-smtp
        // running with the same instance id (the embedded default runs both in one process).
        final String instance = MessageIdGenerator.sanitize("web-" + config.instanceId());
        final List<AutoCloseable> resources = new ArrayList<>();
        try {
            final AccountStore accounts = AccountStore.start(bootstrap, "mailpipe-web-" + instance);
            resources.add(accounts);
            final KafkaSubmitter submitter = new KafkaSubmitter(bootstrap, "mailpipe-web-api-" + instance,
                    Duration.ofSeconds(15));
            resources.add(0, submitter);
            final int perMinute = config.getInt(WebConfig.RATE_LIMIT_PER_MINUTE);
            final RateLimiter rateLimiter;
            if (perMinute > 0) {
                final ClusterRateLimiter cluster = ClusterRateLimiter.start(bootstrap, instance, perMinute,
                        Duration.ofMillis(config.getInt(WebConfig.RATE_LIMIT_SYNC_MS)), clock);
                resources.add(cluster);
                rateLimiter = cluster;
            } else {
                rateLimiter = RateLimiter.UNLIMITED;
            }
            final SenderAuthorisation senders = senders(config, bootstrap, instance, registry, resources);
            final ClientAddress clients = new ClientAddress(config.trustedProxies());
            final ApiRoutes.Guards guards = new ApiRoutes.Guards(rateLimiter,
                    new FailedAuthThrottle(config.getInt(WebConfig.API_AUTH_MAX_FAILURES),
                            config.getLong(WebConfig.API_AUTH_FAILURE_WINDOW_MS), clock),
                    senders, Math.toIntExact(config.getLong(WebConfig.MAX_MESSAGE_BYTES)),
                    req -> Objects.requireNonNullElse(clients.of(req), ""));
            final AddressBook addressBook = AddressBook.start(bootstrap, "mailpipe-" + instance);
            resources.add(addressBook);
            final CompactedTable<DeliveryStats> stats = CompactedTable.start(bootstrap, "mailpipe-" + instance,
                    Topics.STATS.name(), Topics.STATS.valueSerde());
            resources.add(stats);
            final ApiRoutes api = new ApiRoutes(accounts, submitter, new MessageIdGenerator(clock, instance), clock,
                    guards, addressBook, () -> stats.all().values());
            return serve(config, registry, producer(bootstrap), clock, api, resources);
        } catch (final RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /**
     * MAILPIPE_SENDER_DOMAINS as SMTP ingest applies it: with {@code enforce} the followed
     * {@code mail.domains} table decides; refusals are logged and counted.
     */
    private static SenderAuthorisation senders(final WebConfig config, final String bootstrap, final String instance,
            final MeterRegistry registry, final List<AutoCloseable> resources) {
        final SenderAuthorisation.Mode mode = SenderAuthorisation.Mode.of(config.getString(WebConfig.SENDER_DOMAINS));
        if (mode == SenderAuthorisation.Mode.ANY) {
            return SenderAuthorisation.ALLOW_ALL;
        }
        final CompactedTable<SenderDomain> domains = CompactedTable.start(bootstrap, "mailpipe-" + instance,
                Topics.DOMAINS.name(), Topics.DOMAINS.valueSerde());
        resources.add(domains);
        return new SenderAuthorisation(mode, d -> domains.get(d).map(SenderDomain::getApiUser), (apiUser, refused) -> {
            LOG.info("api: refused {} of {}: {} is not registered to the account", refused.where(), apiUser,
                    refused.domain());
            registry.counter("mailpipe.web.api.sender.refused", "where",
                    refused.where().startsWith("From") ? "from_header" : "envelope").increment();
        });
    }

    private static void closeAll(final List<AutoCloseable> resources) {
        for (final AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (final Exception e) {
                LOG.warn("closing {}: {}", resource, e.getMessage());
            }
        }
    }

    /**
     * The topics the web service uses: engagement events to {@code mail.delivery-events}, unsubscribes
     * to {@code mail.suppressions}, API submissions to {@code mail.raw}; as SMTP ingest does, it
     * mirrors and writes {@code mail.accounts}, shares rate counts on {@code mail.ingest.rate-counts}
     * and mirrors {@code mail.domains}; for address lists it follows and writes {@code mail.address-lists},
     * writes (and pages through) {@code mail.address-members}, writes {@code mail.list-tasks} and
     * follows {@code mail.list-tasks.progress}; it follows {@code mail.stats} (statDay, statHour); no consumer group. {@link #start} creates exactly these.
     */
    public static KafkaAccess kafkaAccess(final WebConfig config) {
        final int partitions = config.getInt(WebConfig.TOPIC_PARTITIONS);
        final List<TopicSpec> lists = ListTopics.sends(partitions, KafkaDefaults.topicConfig());
        // mail.suppressions as every service creates it (the expander mirrors it as a table)
        final List<TopicSpec> topics = new ArrayList<>(List.of(
                new TopicSpec(Topics.DELIVERY_EVENTS.name(), partitions, KafkaDefaults.topicConfig()),
                CompactedTable.topicSpec(Topics.SUPPRESSIONS.name()),
                new TopicSpec(Topics.RAW.name(), partitions, KafkaDefaults.topicConfig()),
                AccountStore.topicSpec(), ClusterRateLimiter.topicSpec(),
                CompactedTable.topicSpec(Topics.DOMAINS.name()), ListTopics.lists(), StatsTopic.spec(partitions)));
        topics.addAll(lists);
        return new KafkaAccess(topics,
                Set.of(AccountStore.TOPIC, ClusterRateLimiter.TOPIC, Topics.DOMAINS.name(), Topics.ADDRESS_LISTS.name(),
                        Topics.ADDRESS_MEMBERS.name(), Topics.LIST_TASK_PROGRESS.name(), Topics.LIST_TASK_COUNTS.name(),
                        Topics.STATS.name()),
                Set.of(Topics.DELIVERY_EVENTS.name(), Topics.SUPPRESSIONS.name(), Topics.RAW.name(), AccountStore.TOPIC,
                        ClusterRateLimiter.TOPIC, Topics.ADDRESS_LISTS.name(), Topics.ADDRESS_MEMBERS.name(),
                        Topics.LIST_TASKS.name()),
                Optional.empty(), Optional.empty());
    }

    /**
     * The producer behind the outbox: durable (acks=all, idempotent), and quick to give a record
     * back when Kafka is away, so the outbox rather than the producer holds it.
     */
    static Producer<String, byte[]> producer(final String bootstrap) {
        final Map<String, Object> props = KafkaDefaults.with(
                KafkaDefaults.producer(bootstrap, "web-" + UUID.randomUUID().toString().substring(0, 8)),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                        ProducerConfig.LINGER_MS_CONFIG, 5));
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Serves with the given producer (tests give one pointed at an unreachable Kafka). */
    static WebApp serve(final WebConfig config, final MeterRegistry registry, final Producer<String, byte[]> producer,
            final Clock clock) {
        return serve(config, registry, producer, clock, null, List.of());
    }

    /** With the Web API when {@code api} is not null; {@code resources} are closed with the service. */
    static WebApp serve(final WebConfig config, final MeterRegistry registry, final Producer<String, byte[]> producer,
            final Clock clock, final ApiRoutes api, final List<AutoCloseable> resources) {
        routeJulToSlf4j();
        final Outbox outbox = new Outbox(producer, config.getInt(WebConfig.OUTBOX_CAPACITY), Duration.ofSeconds(1),
                registry);
        final TrackingRoutes routes = new TrackingRoutes(new TrackingTokens(config.tokenKeys()), outbox,
                new ClientAddress(config.trustedProxies()), clock, registry);
        final SSLContext tls = config.tls() ? config.tlsContext() : null; // before anything starts
        final RequestDeadline deadline = new RequestDeadline(config.millis(WebConfig.REQUEST_DEADLINE_MS));
        final WebServer server;
        try {
            final WebServerConfig.Builder builder = WebServer.builder();
            if (tls != null) {
                builder.tls(Tls.builder().sslContext(tls).enabledProtocols(TlsContexts.PROTOCOLS).build());
            }
            server = builder
                    .host(config.getString(WebConfig.WEB_HOST))
                    .port(config.getInt(WebConfig.WEB_PORT))
                    // Blocking sockets (virtual threads) rather than NIO channels: SO_TIMEOUT applies to them.
                    .useNio(false)
                    .connectionOptions(new ReadTimeoutSocketOptions(config.millis(WebConfig.READ_TIMEOUT_MS)))
                    .idleConnectionTimeout(config.millis(WebConfig.IDLE_TIMEOUT_MS))
                    .idleConnectionPeriod(Duration.ofMillis(Math.max(100,
                            Math.min(5_000, config.getLong(WebConfig.IDLE_TIMEOUT_MS) / 4))))
                    .maxTcpConnections(config.getInt(WebConfig.MAX_CONNECTIONS))
                    // the tracking routes read at most MAX_FORM_BYTES of a body themselves
                    .maxPayloadSize(api == null ? TrackingRoutes.MAX_FORM_BYTES : api.maxRequestBytes())
                    .shutdownGracePeriod(Duration.ofSeconds(2))
                    .addProtocol(Http1Config.builder()
                            .maxPrologueLength(MAX_PROLOGUE_BYTES)
                            .maxHeadersSize(MAX_HEADER_BYTES)
                            .addReceiveListener(deadline)
                            .addSendListener(deadline.sendListener())
                            .build())
                    .routing(routing -> {
                        routes.register(routing);
                        if (api != null) {
                            api.register(routing);
                        }
                    })
                    .build()
                    .start();
            if (!server.isRunning() || server.port() < 0) {
                // Helidon logs a failed bind (port taken) and returns a stopped server instead of throwing
                server.stop();
                throw new IllegalStateException("the web service could not listen on "
                        + config.getString(WebConfig.WEB_HOST) + ":" + config.getInt(WebConfig.WEB_PORT)
                        + " (port taken?)");
            }
        } catch (final RuntimeException e) {
            deadline.close();
            outbox.close(Duration.ZERO);
            throw e;
        }
        Gauge.builder("mailpipe.web.slow.clients.closed", deadline, RequestDeadline::closedConnections)
                .description("Connections closed because a request did not arrive in full within the request deadline")
                .register(registry);
        final String publicUrl = config.publicUrl(server.port());
        LOG.info("web service on {}://{}:{} (links under {})", tls != null ? "https" : "http",
                config.getString(WebConfig.WEB_HOST), server.port(), publicUrl);
        return new WebApp(server, outbox, deadline, publicUrl, resources);
    }

    private static void routeJulToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** The port the public endpoints listen on (the real one when 0 was configured). */
    public int port() {
        return server.port();
    }

    /** The base URL of links, {@code MAILPIPE_PUBLIC_URL} or {@code http://127.0.0.1:<port>}. */
    public String publicUrl() {
        return publicUrl;
    }

    /** The Web API's share of the cluster-wide rate limit, when the API runs with one. */
    Optional<ClusterRateLimiter> rateLimiter() {
        return api.stream().filter(ClusterRateLimiter.class::isInstance).map(ClusterRateLimiter.class::cast)
                .findFirst();
    }

    /** Tracking records accepted and not yet acknowledged by Kafka. */
    public int pendingEvents() {
        return outbox.pending();
    }

    @Override
    public String name() {
        return "web";
    }

    /** Ready while it serves: a Kafka outage does not take it out of rotation (the outbox holds events). */
    @Override
    public boolean isReady() {
        return !closed && server.isRunning();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop();
        deadline.close();
        outbox.close(Duration.ofSeconds(10));
        closeAll(api);
        LOG.info("web service stopped");
    }

    public static void main(final String[] args) {
        final WebConfig config = Runner.configOrExit("web", () -> WebConfig.fromEnvironment(System.getenv()));
        Runner.runUntilStopped(config.getString(WebConfig.HTTP_HOST), config.getInt(WebConfig.HTTP_PORT),
                registry -> List.of(start(config, registry)));
    }
}

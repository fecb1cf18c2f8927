package dev.mailpipe.ingest;

import dev.mailpipe.core.domains.SenderAuthorisation;
import dev.mailpipe.core.limits.FailedAuthThrottle;
import dev.mailpipe.core.limits.RateLimiter;
import dev.mailpipe.core.mail.MessageIdGenerator;
import dev.mailpipe.ingest.limits.ConnectionLimiter;
import dev.mailpipe.ingest.limits.TrustedNetworks;
import dev.mailpipe.ingest.queue.GatedSubmitter;
import dev.mailpipe.ingest.queue.SubmitGate;
import dev.mailpipe.ingest.server.IngestMetrics;
import dev.mailpipe.ingest.server.SmtpServer;
import dev.mailpipe.platform.TlsContexts;
import dev.mailpipe.ingest.smtp.InboundSession;
import dev.mailpipe.ingest.smtp.SessionServices;
import dev.mailpipe.ingest.smtp.SessionSettings;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.KafkaProbe;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.accounts.AccountStore;
import dev.mailpipe.platform.limits.ClusterRateLimiter;
import dev.mailpipe.platform.queue.KafkaSubmitter;
import dev.mailpipe.platform.queue.Submitter;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP front door: accepts authenticated submissions and queues each as a RawMessage on
 * {@code mail.raw}, replying {@code 250 #messageId#Queued} only after Kafka acknowledged it.
 */
public final class IngestSmtpApp implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(IngestSmtpApp.class);

    private final List<AutoCloseable> resources;
    private final SmtpServer server;
    private final ClusterRateLimiter rateLimiter;
    private final AccountStore accounts;
    private final int tlsListenerIndex;
    private final SubmitGate gate;
    private volatile boolean closed;

    private IngestSmtpApp(final List<AutoCloseable> resources, final SmtpServer server, final int tlsListenerIndex,
            final ClusterRateLimiter rateLimiter, final AccountStore accounts, final SubmitGate gate) {
        this.resources = resources;
        this.gate = gate;
        this.accounts = accounts;
        this.rateLimiter = rateLimiter;
        this.server = server;
        this.tlsListenerIndex = tlsListenerIndex;
    }

    /**
     * Creates the topics when missing, loads the accounts, binds the SMTP ports and returns once
     * they accept connections.
     */
    public static IngestSmtpApp start(final IngestSmtpConfig config, final MeterRegistry registry) {
        return start(config, registry, Clock.systemUTC());
    }

    /** As {@link #start(IngestSmtpConfig, MeterRegistry)} with the clock of messageIds, Received dates and rate-limit minutes. */
    static IngestSmtpApp start(final IngestSmtpConfig config, final MeterRegistry registry, final Clock clock) {
        // Everything that can be wrong in the configuration fails here, before any network I/O.
        final String hostname = config.hostname();
        final SSLContext tls = config.getBoolean(IngestSmtpConfig.SMTP_TLS_ENABLED) ? tlsContext(config, hostname) : null;
        final TrustedNetworks trusted;
        try {
            trusted = TrustedNetworks.parse(config.getList(IngestSmtpConfig.SMTP_TRUSTED_NETWORKS));
        } catch (final IllegalArgumentException e) {
            throw new ConfigException("MAILPIPE_SMTP_TRUSTED_NETWORKS: " + e.getMessage());
        }
        if (config.getInt(IngestSmtpConfig.SMTP_TLS_PORT) >= 0 && tls == null) {
            throw new ConfigException("MAILPIPE_SMTP_TLS_PORT needs MAILPIPE_SMTP_TLS_ENABLED=true");
        }

        final String bootstrap = config.getString(IngestSmtpConfig.BOOTSTRAP_SERVERS);
        TopicProvisioner.ensure(bootstrap, config.getInt(IngestSmtpConfig.TOPIC_REPLICATION_FACTOR),
                kafkaAccess(config).topics());

        final List<AutoCloseable> resources = new ArrayList<>();
        try {
            final String instance = MessageIdGenerator.sanitize(config.instanceId());
            final AccountStore accounts = AccountStore.start(bootstrap, "mailpipe-ingest-" + instance);
            resources.add(accounts);
            final String apiUser = config.getString(IngestSmtpConfig.API_USER).strip();
            if (!apiUser.isEmpty()) {
                accounts.ensure(apiUser, config.apiKey().value());
            }
            final int perMinute = config.getInt(IngestSmtpConfig.RATE_LIMIT_PER_MINUTE);
            final RateLimiter rateLimiter;
            ClusterRateLimiter clusterLimiter = null;
            if (perMinute > 0) {
                final ClusterRateLimiter cluster = ClusterRateLimiter.start(
                        bootstrap, instance, perMinute, Duration.ofMillis(config.getInt(IngestSmtpConfig.RATE_LIMIT_SYNC_MS)),
                        clock);
                resources.add(cluster);
                rateLimiter = cluster;
                clusterLimiter = cluster;
            } else {
                rateLimiter = RateLimiter.UNLIMITED;
            }
            final KafkaProbe probe = new KafkaProbe(bootstrap, Duration.ofSeconds(1));
            resources.add(probe);
            final SubmitGate gate = new SubmitGate(probe::reachable, Duration.ofSeconds(1));
            final Submitter submitter = new GatedSubmitter(new KafkaSubmitter(bootstrap, "mailpipe-ingest-" + instance,
                    Duration.ofMillis(config.getInt(IngestSmtpConfig.SMTP_QUEUE_TIMEOUT_MS))), gate);
            resources.add(0, submitter);

            final SessionSettings settings = new SessionSettings(hostname,
                    config.getLong(IngestSmtpConfig.SMTP_MAX_MESSAGE_BYTES),
                    config.getInt(IngestSmtpConfig.SMTP_MAX_RECIPIENTS),
                    config.getInt(IngestSmtpConfig.SMTP_MAX_LINE_LENGTH),
                    config.getInt(IngestSmtpConfig.SMTP_MAX_DATA_LINE_LENGTH),
                    config.getInt(IngestSmtpConfig.SMTP_MAX_ERRORS),
                    tls != null, config.getBoolean(IngestSmtpConfig.SMTP_TLS_REQUIRED_FOR_AUTH));
            final SenderAuthorisation senders = senders(config, bootstrap, instance, registry, resources);
            final SessionServices services = new SessionServices(accounts,
                    new FailedAuthThrottle(config.getInt(IngestSmtpConfig.SMTP_AUTH_MAX_FAILURES),
                            config.getLong(IngestSmtpConfig.SMTP_AUTH_FAILURE_WINDOW_MS), clock),
                    rateLimiter, new MessageIdGenerator(clock, instance), clock, senders);
            final ConnectionLimiter limiter = new ConnectionLimiter(config.getInt(IngestSmtpConfig.SMTP_MAX_CONNECTIONS),
                    config.getInt(IngestSmtpConfig.SMTP_MAX_CONNECTIONS_PER_ADDRESS));
            final IngestMetrics metrics = new IngestMetrics(registry, limiter::open);

            final List<SmtpServer.Listener> listeners = new ArrayList<>();
            listeners.add(new SmtpServer.Listener(config.getInt(IngestSmtpConfig.SMTP_PORT), false));
            for (final String port : config.getList(IngestSmtpConfig.SMTP_EXTRA_PORTS)) {
                listeners.add(new SmtpServer.Listener(Integer.parseInt(port.strip()), false));
            }
            int tlsIndex = -1;
            final int tlsPort = config.getInt(IngestSmtpConfig.SMTP_TLS_PORT);
            if (tlsPort >= 0) {
                tlsIndex = listeners.size();
                listeners.add(new SmtpServer.Listener(tlsPort, true));
            }
            final SmtpServer server = SmtpServer.start(config.getString(IngestSmtpConfig.SMTP_HOST), listeners,
                    new SmtpServer.Options(tls, settings.maxLineLength(),
                            config.getInt(IngestSmtpConfig.SMTP_COMMAND_TIMEOUT_MS),
                            config.getInt(IngestSmtpConfig.SMTP_DATA_TIMEOUT_MS), limiter, trusted::accountFor,
                            (client, number) -> new InboundSession(settings, services, client, number), submitter, metrics,
                            new SmtpServer.Deadlines(config.getInt(IngestSmtpConfig.SMTP_COMMAND_DEADLINE_MS),
                                    config.getInt(IngestSmtpConfig.SMTP_DATA_DEADLINE_MS),
                                    config.getLong(IngestSmtpConfig.SMTP_DATA_MIN_RATE), 0.9,
                                    config.getLong(IngestSmtpConfig.SMTP_EVICT_IDLE_MS))));
            resources.add(0, server); // stop accepting before the producer closes
            return new IngestSmtpApp(resources, server, tlsIndex, clusterLimiter, accounts, gate);
        } catch (final RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    /**
     * MAILPIPE_SENDER_DOMAINS: with {@code enforce}, the domains of mail.domains (followed, so an
     * added domain is usable at once) decide; every refusal is logged and counted.
     */
    private static SenderAuthorisation senders(final IngestSmtpConfig config, final String bootstrap,
            final String instance, final MeterRegistry registry, final List<AutoCloseable> resources) {
        final SenderAuthorisation.Mode mode = SenderAuthorisation.Mode.of(config.getString(IngestSmtpConfig.SENDER_DOMAINS));
        if (mode == SenderAuthorisation.Mode.ANY) {
            return SenderAuthorisation.ALLOW_ALL;
        }
        final CompactedTable<SenderDomain> domains = CompactedTable.start(bootstrap, "mailpipe-ingest-" + instance,
                Topics.DOMAINS.name(), Topics.DOMAINS.valueSerde());
        resources.add(domains);
        return new SenderAuthorisation(mode, d -> domains.get(d).map(SenderDomain::getApiUser), (apiUser, refused) -> {
            LOG.info("refused {} of {}: {} is not registered to the account", refused.where(), apiUser, refused.domain());
            registry.counter("mailpipe.ingest.sender.refused", "where",
                    refused.where().startsWith("From") ? "from_header" : "envelope").increment();
        });
    }

    /**
     * The topics ingest-smtp uses: it writes submissions to {@code mail.raw}, mirrors and writes
     * {@code mail.accounts}, shares rate counts on {@code mail.ingest.rate-counts} and mirrors
     * {@code mail.domains} (sender authorisation); no consumer group. {@link #start} creates exactly
     * these topics, so the manifests under test and the code cannot drift apart.
     */
    public static KafkaAccess kafkaAccess(final IngestSmtpConfig config) {
        final int partitions = config.getInt(IngestSmtpConfig.TOPIC_PARTITIONS);
        return new KafkaAccess(
                List.of(new TopicSpec(Topics.RAW.name(), partitions, KafkaDefaults.topicConfig()),
                        AccountStore.topicSpec(), ClusterRateLimiter.topicSpec(),
                        CompactedTable.topicSpec(Topics.DOMAINS.name())),
                Set.of(AccountStore.TOPIC, ClusterRateLimiter.TOPIC, Topics.DOMAINS.name()),
                Set.of(Topics.RAW.name(), AccountStore.TOPIC, ClusterRateLimiter.TOPIC),
                Optional.empty(), Optional.empty());
    }

    private static SSLContext tlsContext(final IngestSmtpConfig config, final String hostname) {
        final String cert = config.getString(IngestSmtpConfig.SMTP_TLS_CERT_FILE).strip();
        final String key = config.getString(IngestSmtpConfig.SMTP_TLS_KEY_FILE).strip();
        if (cert.isEmpty() != key.isEmpty()) {
            throw new ConfigException("MAILPIPE_SMTP_TLS_CERT_FILE and MAILPIPE_SMTP_TLS_KEY_FILE must be given together");
        }
        if (cert.isEmpty()) {
            LOG.info("no TLS certificate configured: using a self-signed certificate for {}", hostname);
            return TlsContexts.selfSigned(hostname);
        }
        try {
            return TlsContexts.fromPem(Path.of(cert), Path.of(key));
        } catch (final IllegalArgumentException e) {
            throw new ConfigException("MAILPIPE_SMTP_TLS_CERT_FILE/MAILPIPE_SMTP_TLS_KEY_FILE: " + e.getMessage());
        }
    }

    /** The bound main SMTP port (useful when configured as 0). */
    public int smtpPort() {
        return server.port(0);
    }

    /** The cluster-wide rate limiter, or null when the limit is off. */
    ClusterRateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** The bound implicit-TLS port, or -1 when there is none. */
    public int tlsPort() {
        return tlsListenerIndex < 0 ? -1 : server.port(tlsListenerIndex);
    }

    @Override
    public String name() {
        return "ingest-smtp";
    }

    @Override
    public boolean isReady() {
        return !closed && accounts.isFollowing() && gate.isOpen();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(resources);
    }

    private static void closeAll(final List<AutoCloseable> resources) {
        for (final AutoCloseable r : resources) {
            try {
                r.close();
            } catch (final Exception e) {
                LOG.warn("error while stopping ingest-smtp", e);
            }
        }
    }

    public static void main(final String[] args) {
        final IngestSmtpConfig config = Runner.configOrExit("ingest-smtp", () -> {
            final IngestSmtpConfig c = IngestSmtpConfig.fromEnvironment(System.getenv());
            LocalHost.requireFqdn(c.hostname());
            return c;
        });
        Runner.runUntilStopped(config.getString(IngestSmtpConfig.HTTP_HOST), config.getInt(IngestSmtpConfig.HTTP_PORT),
                registry -> List.of(start(config, registry)));
    }
}

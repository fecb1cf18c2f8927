package dev.mailpipe.expander;

import dev.mailpipe.expander.core.Expander;
import dev.mailpipe.expander.lists.ListTasks;
import dev.mailpipe.expander.stats.StatsTopology;
import dev.mailpipe.expander.tracking.Tracker;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.KafkaAccess;
import dev.mailpipe.platform.KafkaDefaults;
import dev.mailpipe.platform.KafkaProbe;
import dev.mailpipe.platform.LocalHost;
import dev.mailpipe.platform.MailpipeApp;
import dev.mailpipe.platform.Runner;
import dev.mailpipe.platform.TopicProvisioner;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.platform.stats.StatsTopic;
import dev.mailpipe.schemas.DeliveryEvent;
import dev.mailpipe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expander service: the {@link ExpanderTopology} run by Kafka Streams, exactly-once by default.
 * Scale it by running more instances with the same {@code expander.application.id}: partitions of
 * {@code mail.raw} are shared among them.
 */
public final class ExpanderApp implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(ExpanderApp.class);
    /** Commit interval under exactly_once_v2 (Streams' default: 100 ms). */
    static final long EOS_COMMIT_INTERVAL_MS = 50;
    /** Longest poll under exactly_once_v2 (Streams' default: 100 ms); a poll returns at once when records arrive. */
    static final long EOS_POLL_MS = 10;

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final String bootstrapServers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ExpanderApp(final KafkaStreams streams, final KafkaStreamsMetrics streamsMetrics,
            final String bootstrapServers) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Creates the expander's topics when missing, starts Kafka Streams and returns once it is
     * RUNNING (it may own no partition yet if other instances hold them all).
     *
     * @throws IllegalStateException if Streams fails or does not reach RUNNING within
     *                               {@code expander.start.timeout.ms}
     */
    public static ExpanderApp start(final ExpanderConfig config, final MeterRegistry registry) {
        // exactly the topics of kafkaAccess, so the manifests under test and the code cannot drift apart
        TopicProvisioner.ensure(config.bootstrapServers(), config.topicReplicationFactor(),
                kafkaAccess(config).topics());

        final ExpanderMetrics metrics = new ExpanderMetrics(registry);
        final StreamsBuilder builder = new StreamsBuilder();
        final Tracker tracker = config.tracker().orElse(null);
        if (tracker == null) {
            LOG.warn("{} is not set: tracking filters are carried on the emails but not applied (no pixel, no tracked"
                    + " links, no unsubscribe link)", EnvConfig.variableOf(ExpanderConfig.TRACKING_SECRET));
        } else {
            LOG.info("tracking links under {}", tracker.publicUrl());
        }
        ExpanderTopology.build(builder, new Expander(config.hostname(), tracker), metrics,
                Clock.systemUTC());
        final KStream<String, DeliveryEvent> events = DeliveryEventsSource.stream(builder);
        ListTasks.build(builder, Clock.systemUTC(), config.listSubmissionsPerSecond(), events);
        StatsTopology.build(builder, events, Clock.systemUTC());
        final Properties props = streamsProperties(config);
        final Topology topology = builder.build(props);
        final KafkaStreams streams = new KafkaStreams(topology, props);

        final CountDownLatch running = new CountDownLatch(1);
        final AtomicReference<KafkaStreams.State> failed = new AtomicReference<>();
        streams.setStateListener((now, before) -> {
            LOG.info("expander {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                failed.set(now);
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("expander stream thread failed; stopping this instance (others take over its partitions)", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        final KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.start();
        final ExpanderApp app = new ExpanderApp(streams, streamsMetrics, config.bootstrapServers());
        try {
            if (!running.await(config.startTimeoutMs(), TimeUnit.MILLISECONDS) || failed.get() != null) {
                app.close();
                throw new IllegalStateException("expander did not reach RUNNING (state " + streams.state() + ")");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            app.close();
            throw new IllegalStateException("interrupted while starting the expander", e);
        }
        LOG.info("expander {} running on {} ({}), {} thread(s)", config.applicationId(), config.bootstrapServers(),
                config.processingGuarantee(), config.threads());
        return app;
    }

    /**
     * The topics the expander uses: it consumes {@code mail.raw} as the Streams application (group =
     * transactional-id prefix = application.id), mirrors {@code mail.suppressions} (a global table,
     * restored from that topic itself) and writes emails, events and dead letters. For list sends it
     * also reads {@code mail.address-members} (a table restored from the topic itself) and
     * {@code mail.list-tasks}, writes the members' submissions to {@code mail.raw} and progress to
     * {@code mail.list-tasks.progress}; the tasks' own state has changelogs under the application id.
     */
    public static KafkaAccess kafkaAccess(final ExpanderConfig config) {
        final Map<String, String> topicConfig = KafkaDefaults.topicConfig();
        final List<TopicSpec> lists = ListTasks.topics(config.topicPartitions(), topicConfig);
        final List<TopicSpec> topics = new java.util.ArrayList<>(List.of(
                new TopicSpec(Topics.RAW.name(), config.topicPartitions(), topicConfig),
                new TopicSpec(Topics.OUTBOUND.name(), config.topicPartitions(), topicConfig),
                new TopicSpec(Topics.DELIVERY_EVENTS.name(), config.topicPartitions(), topicConfig),
                new TopicSpec(Topics.RAW_DLT.name(), config.topicPartitions(), topicConfig),
                CompactedTable.topicSpec(Topics.SUPPRESSIONS.name())));
        topics.addAll(lists);
        topics.add(StatsTopic.spec(config.topicPartitions()));
        return new KafkaAccess(topics,
                // mail.delivery-events too: the events of list sends are counted per task, and all of
                // them in the statistics
                Set.of(Topics.RAW.name(), Topics.SUPPRESSIONS.name(), Topics.ADDRESS_MEMBERS.name(),
                        Topics.LIST_TASKS.name(), Topics.DELIVERY_EVENTS.name()),
                // mail.raw too: a list send's members are queued there in submissions of 100
                Set.of(Topics.OUTBOUND.name(), Topics.DELIVERY_EVENTS.name(), Topics.RAW_DLT.name(), Topics.RAW.name(),
                        Topics.LIST_TASK_PROGRESS.name(), Topics.LIST_TASK_COUNTS.name(), Topics.STATS.name()),
                // scaled on mail.raw's lag (a list send's backlog shows there too); the members table and
                // the tasks are read by the same group but are no backlog
                Optional.of(new KafkaAccess.ConsumerGroup(config.applicationId(), Set.of(Topics.RAW.name()))),
                Optional.of(config.applicationId()),
                // the changelogs of the list tasks' and the statistics' stores, the statistics' repartition
                Optional.of(config.applicationId() + "-"));
    }

    /** The Kafka Streams settings the config stands for; {@code expander.streams.*} overrides come last. */
    static Properties streamsProperties(final ExpanderConfig config) {
        final Properties props = new Properties();
        props.putAll(KafkaDefaults.client(config.bootstrapServers()));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.topicReplicationFactor());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // the members table is restored from mail.address-members itself, not from a copy of it
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), true);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), KafkaDefaults.MAX_RECORD_BYTES);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), KafkaDefaults.compressionFromProcess());
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                KafkaDefaults.MAX_RECORD_BYTES);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 2 * KafkaDefaults.MAX_RECORD_BYTES);
        // One raw record can fan out to 100 emails of several MB in total: keep polls small.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 100);
        // Raw records can be 16 MB each and each fans out 100-fold: bound what Streams buffers ahead.
        props.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 10);
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(config.processingGuarantee())) {
            // Under EOS an email becomes visible to the deliverer (read_committed) only when its
            // transaction commits, so the commit interval is pure latency. The stream thread checks
            // it only between polls: a poll timeout no longer than a fraction of it keeps an idle
            // pipeline from holding a finished transaction open for the whole poll. Measured in
            // DESIGN.md ("Performance notes").
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, EOS_COMMIT_INTERVAL_MS);
            props.put(StreamsConfig.POLL_MS_CONFIG, EOS_POLL_MS);
        }
        // static membership: a restarted (even killed) instance gets its tasks back without a rebalance
        config.groupInstanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        props.putAll(config.streamsOverrides());
        return props;
    }

    @Override
    public String name() {
        return "expander";
    }

    /** Ready while Streams is RUNNING or REBALANCING (a rebalance is routine, not an outage). */
    @Override
    public boolean isReady() {
        final KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    /** Stops processing, commits what was processed, leaves the group. Harmless twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // Leave the group: Streams stays a member after close by default, so the partitions
            // of a stopped instance would sit unprocessed for a whole session timeout (45 s).
            // While Kafka is unreachable nothing can be committed anyway (the open transaction is
            // aborted by the broker): do not hold a SIGTERM for 30 s.
            final Duration timeout = KafkaProbe.reachable(bootstrapServers, Duration.ofMillis(500))
                    ? Duration.ofSeconds(30) : Duration.ofSeconds(2);
            streams.close(CloseOptions.timeout(timeout)
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            streamsMetrics.close();
        }
    }

    public static void main(final String[] args) {
        final ExpanderConfig config = Runner.configOrExit("expander", () -> {
            final ExpanderConfig c = ExpanderConfig.fromEnvironment(System.getenv());
            LocalHost.requireFqdn(c.hostname());
            return c;
        });
        Runner.runUntilStopped(config.httpHost(), config.httpPort(), registry -> List.of(start(config, registry)));
    }
}

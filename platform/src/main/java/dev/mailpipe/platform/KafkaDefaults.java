package dev.mailpipe.platform;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Client settings that carry mailpipe's durability promise; apps add to them, never weaken them.
 * Every client starts from {@link #client}, which carries the process's {@link KafkaSecurity}
 * (TLS, SASL) settings.
 */
public final class KafkaDefaults {

    /** Largest record mailpipe writes: a 16 MB message plus envelope and Avro framing. */
    public static final int MAX_RECORD_BYTES = 20 * 1024 * 1024;

    /** The variable of {@link CommonConfigs#KAFKA_COMPRESSION_CONFIG}. */
    public static final String COMPRESSION = "MAILPIPE_KAFKA_COMPRESSION";
    /** The values it takes: Kafka's {@code compression.type} names. */
    public static final List<String> COMPRESSIONS = List.of("none", "lz4", "snappy", "zstd", "gzip");

    private static volatile String processCompression;

    private KafkaDefaults() {
    }

    /**
     * The producers' {@code compression.type} for {@code env} (variables): {@value #COMPRESSION},
     * default {@value CommonConfigs#DEFAULT_KAFKA_COMPRESSION}.
     *
     * @throws ConfigException naming the variable when the value is not one of {@link #COMPRESSIONS}
     */
    public static String compression(final Map<String, String> env) {
        final String value = env.get(COMPRESSION);
        final String compression = value == null || value.isBlank()
                ? CommonConfigs.DEFAULT_KAFKA_COMPRESSION : value.strip().toLowerCase(Locale.ROOT);
        if (!COMPRESSIONS.contains(compression)) {
            throw new ConfigException(COMPRESSION + "=" + value + ": expected one of " + String.join(", ", COMPRESSIONS));
        }
        return compression;
    }

    /** {@link #compression} of this process (read once from its environment and MAILPIPE_CONFIG_FILE). */
    public static String compressionFromProcess() {
        String compression = processCompression;
        if (compression == null) {
            if (!EnvConfig.variableOf(CommonConfigs.KAFKA_COMPRESSION_CONFIG).equals(COMPRESSION)) {
                throw new IllegalStateException(COMPRESSION + " is not the variable of " + CommonConfigs.KAFKA_COMPRESSION_CONFIG);
            }
            final Map<String, String> env = new HashMap<>();
            EnvConfig.fromEnvironment(System.getenv()).forEach((key, v) -> env.put(EnvConfig.variableOf(key), v));
            compression = compression(env);
            processCompression = compression;
        }
        return compression;
    }

    /** The bootstrap servers plus the security settings every client needs (see {@link KafkaSecurity}). */
    public static Map<String, Object> client(final String bootstrapServers) {
        final Map<String, Object> props = new HashMap<>(KafkaSecurity.fromProcess());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** Settings of an admin client. */
    public static Map<String, Object> admin(final String bootstrapServers) {
        return client(bootstrapServers);
    }

    /** acks=all and idempotence: a send completes only when every in-sync replica has the record. */
    public static Map<String, Object> producer(final String bootstrapServers, final String clientId) {
        final Map<String, Object> props = client(bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compressionFromProcess());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        return props;
    }

    /** Manual commits, committed reads only, records up to {@link #MAX_RECORD_BYTES}. */
    public static Map<String, Object> consumer(final String bootstrapServers, final String groupId) {
        final Map<String, Object> props = client(bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_RECORD_BYTES);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2 * MAX_RECORD_BYTES);
        return props;
    }

    /** Topic-level settings so a topic admits the largest record mailpipe writes. */
    public static Map<String, String> topicConfig() {
        return Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
    }

    /** A copy of {@code base} with {@code overrides} on top. */
    public static Map<String, Object> with(final Map<String, Object> base, final Map<String, ?> overrides) {
        final Map<String, Object> merged = new HashMap<>(base);
        merged.putAll(overrides);
        return merged;
    }
}

package dev.mailpipe.embedded;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.CommonConfigs;
import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.Validators;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of {@code ./mailpipe up} itself; each service reads its own keys from the same environment. */
public final class EmbeddedConfig extends AbstractConfig {

    public static final String DATA_DIR = CommonConfigs.DATA_DIR_CONFIG;
    public static final String KAFKA_PORT = "kafka.port";
    private static final String KAFKA_PORT_DOC = "Client port of the embedded broker on its first start (0: any free port; "
            + "later starts reuse the stored one).";
    public static final String KAFKA_HEAP = "kafka.heap";
    private static final String KAFKA_HEAP_DOC = "Maximum heap of the embedded broker process.";
    public static final String KAFKA_ORPHAN_GRACE = "kafka.orphan.grace";
    private static final String KAFKA_ORPHAN_GRACE_DOC = "How long the embedded broker outlives a launcher that died "
            + "without stopping it (kill -9), so that ./mailpipe up started again on the same data dir within that "
            + "time takes the running broker over instead of a cold start; 0s: it stops with the launcher.";
    public static final String BOOTSTRAP_SERVERS = CommonConfigs.BOOTSTRAP_SERVERS_CONFIG;
    private static final String BOOTSTRAP_SERVERS_DOC = "An external Kafka cluster to use instead of the embedded broker.";
    public static final String KEYS_SECRET = KeysSecret.KEY;
    private static final String KEYS_SECRET_DOC = "Secret that seals the DKIM private keys kept in mail.domains "
            + "(./mailpipe domains); the embedded default generates one into <data dir>/keys-secret.";
    public static final String SERVICES = "up.services";
    /** Every service, in the order ./mailpipe up starts them (web before the expander: its URL goes into links). */
    public static final List<String> ALL_SERVICES = List.of("ingest-smtp", "web", "expander", "mx-deliverer", "webhooks");
    private static final String SERVICES_DOC = "The services ./mailpipe up runs in its JVM, comma-separated, of "
            + String.join(", ", ALL_SERVICES) + "; empty: only the embedded broker (run the services apart with "
            + "./mailpipe run, as a split deployment does).";
    public static final String HTTP_HOST = CommonConfigs.HTTP_HOST_CONFIG;
    public static final String HTTP_PORT = CommonConfigs.HTTP_PORT_CONFIG;

    public static final ConfigDef CONFIG_DEF = CommonConfigs.defineHttp(CommonConfigs.defineDataDir(new ConfigDef()),
                    "127.0.0.1", 8025)
            .define(KAFKA_PORT, Type.INT, 9092, Validators.port(), Importance.MEDIUM, KAFKA_PORT_DOC)
            .define(KAFKA_HEAP, Type.STRING, "256m", new ConfigDef.NonEmptyString(), Importance.LOW, KAFKA_HEAP_DOC)
            .define(KAFKA_ORPHAN_GRACE, Type.STRING, "30s", Validators.duration(), Importance.LOW,
                    KAFKA_ORPHAN_GRACE_DOC)
            .define(BOOTSTRAP_SERVERS, Type.STRING, "", Validators.hostPort(true), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(KEYS_SECRET, Type.PASSWORD, null, Importance.MEDIUM, KEYS_SECRET_DOC)
            .define(SERVICES, Type.LIST, String.join(",", ALL_SERVICES), (name, value) -> {
                for (final Object service : (List<?>) value) {
                    if (!ALL_SERVICES.contains(service)) {
                        throw new ConfigException(name, value, "unknown service " + service + "; known: "
                                + String.join(", ", ALL_SERVICES));
                    }
                }
            }, Importance.LOW, SERVICES_DOC);

    public EmbeddedConfig(final Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
    }

    public static EmbeddedConfig fromEnvironment(final Map<String, String> env) {
        return EnvConfig.load(env, EmbeddedConfig::new);
    }

    /**
     * The services to run here.
     *
     * @throws ConfigException when there is nothing at all to run (no service and an external Kafka)
     */
    public List<String> services() {
        final List<String> services = getList(SERVICES);
        if (services.isEmpty() && externalKafka()) {
            throw new ConfigException(EnvConfig.variableOf(SERVICES) + " is empty and "
                    + EnvConfig.variableOf(BOOTSTRAP_SERVERS) + " names an external Kafka: nothing to run");
        }
        return services;
    }

    /** {@link #KAFKA_ORPHAN_GRACE}. */
    public java.time.Duration kafkaOrphanGrace() {
        return dev.mailpipe.platform.Durations.parse(getString(KAFKA_ORPHAN_GRACE).strip());
    }

    /** True when KAFKA_BOOTSTRAP_SERVERS names an external cluster. */
    public boolean externalKafka() {
        return !getString(BOOTSTRAP_SERVERS).isBlank();
    }

    /** Registers these settings for config-docs and the unknown-variable warning (META-INF/services). */
    public static final class Definition implements AppConfigDef {
        @Override
        public String name() {
            return "up";
        }

        @Override
        public ConfigDef configDef() {
            return CONFIG_DEF;
        }
    }
}

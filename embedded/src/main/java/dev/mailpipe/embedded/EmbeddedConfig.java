package dev.mailpipe.embedded;

import dev.mailpipe.platform.EnvConfig;
import dev.mailpipe.platform.Validators;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings of {@code ./mailpipe up} itself; each service reads its own keys from the same environment. */
public final class EmbeddedConfig extends AbstractConfig {

    public static final String DATA_DIR = "data.dir";
    private static final String DATA_DIR_DOC = "Where the embedded broker keeps its log (queued mail survives a restart) "
            + "and the services keep local state.";
    public static final String KAFKA_PORT = "kafka.port";
    private static final String KAFKA_PORT_DOC = "Client port of the embedded broker on its first start (0: any free port; "
            + "later starts reuse the stored one).";
    public static final String KAFKA_HEAP = "kafka.heap";
    private static final String KAFKA_HEAP_DOC = "Maximum heap of the embedded broker process.";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "An external Kafka cluster to use instead of the embedded broker.";
    public static final String HTTP_HOST = "http.host";
    private static final String HTTP_HOST_DOC = "Address of the metrics and health endpoints.";
    public static final String HTTP_PORT = "http.port";
    private static final String HTTP_PORT_DOC = "Port of the metrics and health endpoints (-1: off).";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(DATA_DIR, Type.STRING, "data", new ConfigDef.NonEmptyString(), Importance.HIGH, DATA_DIR_DOC)
            .define(KAFKA_PORT, Type.INT, 9092, Validators.port(), Importance.MEDIUM, KAFKA_PORT_DOC)
            .define(KAFKA_HEAP, Type.STRING, "768m", new ConfigDef.NonEmptyString(), Importance.LOW, KAFKA_HEAP_DOC)
            .define(BOOTSTRAP_SERVERS, Type.STRING, "", Validators.hostPort(true), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(HTTP_HOST, Type.STRING, "127.0.0.1", Importance.LOW, HTTP_HOST_DOC)
            .define(HTTP_PORT, Type.INT, 8025, ConfigDef.Range.between(-1, 65535), Importance.LOW, HTTP_PORT_DOC);

    public EmbeddedConfig(final Map<String, ?> values) {
        super(CONFIG_DEF, values, false);
    }

    public static EmbeddedConfig fromEnvironment(final Map<String, String> env) {
        return new EmbeddedConfig(EnvConfig.fromEnvironment(env));
    }

    /** True when KAFKA_BOOTSTRAP_SERVERS names an external cluster. */
    public boolean externalKafka() {
        return !getString(BOOTSTRAP_SERVERS).isBlank();
    }
}

package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    @Test
    void shouldFindTheEmbeddedBrokerOfTheDataDirWhenNoBootstrapServersAreGiven(@TempDir final Path dir)
            throws Exception {
        Cli.writeBootstrapServers(dir, "127.0.0.1:40123");
        final Map<String, String> env = Map.of("MAILPIPE_DATA_DIR", dir.toString());
        assertThat(Cli.bootstrapServers(null, env)).isEqualTo("127.0.0.1:40123");
        assertThat(Cli.bootstrapServers("kafka:9092", env)).isEqualTo("kafka:9092");
        assertThat(Cli.bootstrapServers(null, Map.of("MAILPIPE_DATA_DIR", dir.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "broker:9093"))).isEqualTo("broker:9093");
        assertThat(Cli.bootstrapServers(null, Map.of("MAILPIPE_DATA_DIR", dir.resolve("none").toString())))
                .isEqualTo("localhost:9092");
    }
}

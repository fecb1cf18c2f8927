package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line tools find the broker ./mailpipe up started, whatever port it had to pick. */
class EmbeddedBrokerToolsIT {

    @Test
    void shouldLetTheToolsFindTheBrokerOfTheDataDir(@TempDir final Path dataDir) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, "256m")) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.DELIVERY_EVENTS.name(), 1, (short) 1))).all().get();
            }
            final Map<String, String> env = Map.of("MAILPIPE_DATA_DIR", dataDir.toString());
            assertThat(Cli.bootstrapServers(null, env)).isEqualTo(broker.bootstrapServers())
                    .isNotEqualTo("localhost:9092");
            // a tool run without --bootstrap-servers reaches it: an empty topic, read to its end
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int code = EventsCli.run(new String[] {"--from-beginning"}, env, new PrintWriter(out),
                    new PrintWriter(err));
            assertThat(code).as(err.toString()).isZero();
        }
    }
}

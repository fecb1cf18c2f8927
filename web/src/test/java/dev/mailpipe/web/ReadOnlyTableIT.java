package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The read-only table ./mailpipe stats uses: it sees what writers wrote and cannot write. */
class ReadOnlyTableIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    @Test
    void shouldReadWhatAWriterWroteAndRefuseToWrite() {
        KAFKA.cluster().createTopics(1, "stats-like");
        try (CompactedTable<String> writer = CompactedTable.start(KAFKA.bootstrapServers(), "writer", "stats-like",
                Serdes.String())) {
            writer.put("day|acme", "3");
            try (CompactedTable<String> reader = CompactedTable.readOnly(KAFKA.bootstrapServers(), "reader",
                    "stats-like", Serdes.String())) {
                assertThat(reader.all()).containsEntry("day|acme", "3");

                writer.put("day|acme", "4");
                await().atMost(Duration.ofSeconds(30)).until(() -> "4".equals(reader.get("day|acme").orElse(null)));
                assertThatThrownBy(() -> reader.put("day|acme", "0")).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("read-only");
                assertThat(reader.get("day|acme")).contains("4");
            }
        }
    }
}

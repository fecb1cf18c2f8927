package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedBrokerDefaultsTest {

    @Test
    void shouldCreateTopicsWithFewPartitionsAndOneReplicaOnTheEmbeddedBroker() {
        final Map<String, String> values = new HashMap<>();

        MailpipeUp.embeddedBrokerDefaults(values);

        assertThat(values).containsEntry("topic.partitions", "2").containsEntry("topic.replication.factor", "1");
    }

    @Test
    void shouldKeepWhatTheUserSet() {
        final Map<String, String> values = new HashMap<>(Map.of("topic.partitions", "6"));

        MailpipeUp.embeddedBrokerDefaults(values);

        assertThat(values).containsEntry("topic.partitions", "6");
    }
}

package dev.mailpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Kafka client in the services' code gets the authenticated-Kafka settings: a source file
 * that creates a producer, consumer, admin client or Streams app must build its properties with
 * {@code KafkaDefaults} (which carries {@code KafkaSecurity}). Otherwise it would connect
 * unauthenticated and fail against the TLS/SCRAM listener in Kubernetes only.
 */
class KafkaClientSettingsTest {

    /** Files allowed to build clients without KafkaDefaults, and why. */
    private static final Set<String> EXEMPT = Set.of(
            // probes the embedded broker it started itself (plaintext on loopback)
            "embedded/src/main/java/dev/mailpipe/embedded/EmbeddedBroker.java");

    @Test
    void everyKafkaClientIsBuiltFromKafkaDefaults() throws IOException {
        final Path root = Manifests.root();
        final List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 12)) {
            for (final Path file : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/") && !p.toString().contains("/target/"))
                    .toList()) {
                final String relative = root.relativize(file).toString();
                if (relative.startsWith("test-support/") || relative.startsWith("bench/") || EXEMPT.contains(relative)) {
                    continue;
                }
                final String source = Files.readString(file);
                final boolean creates = source.contains("new KafkaProducer<") || source.contains("new KafkaConsumer<")
                        || source.contains("Admin.create(") || source.contains("AdminClient.create(")
                        || source.contains("new KafkaStreams(");
                if (creates && !source.contains("KafkaDefaults.")) {
                    offenders.add(relative);
                }
            }
        }
        assertThat(offenders).as("these files create Kafka clients without KafkaDefaults.client/producer/consumer/admin "
                + "(so without MAILPIPE_KAFKA_SECURITY_PROTOCOL & co.): " + offenders).isEmpty();
    }
}

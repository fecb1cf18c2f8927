package dev.mailpipe.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics an app needs when they are missing (never alters existing ones: in
 * production the operator or Strimzi's KafkaTopic resources own them).
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    /** What a topic should look like when mailpipe has to create it. */
    public record TopicSpec(String name, int partitions, Map<String, String> config) {
    }

    private TopicProvisioner() {
    }

    /**
     * Creates the missing topics among {@code specs}.
     *
     * @param replicationFactor replicas per partition; 0 or less leaves it to the broker's
     *                          {@code default.replication.factor}
     */
    public static void ensure(final String bootstrapServers, final int replicationFactor, final List<TopicSpec> specs) {
        try (Admin admin = Admin.create(KafkaDefaults.admin(bootstrapServers))) {
            final Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            final List<NewTopic> missing = new ArrayList<>();
            for (final TopicSpec spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(new NewTopic(spec.name(), Optional.of(spec.partitions()),
                            replicationFactor > 0 ? Optional.of((short) replicationFactor) : Optional.empty())
                            .configs(spec.config()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            } catch (final ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (final ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }
}

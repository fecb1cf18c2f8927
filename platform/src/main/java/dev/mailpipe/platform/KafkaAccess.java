package dev.mailpipe.platform;

import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a service does on Kafka: the topics it needs (created when missing, in development), which
 * of them it reads and writes, its consumer group and its transactional-id prefix. The service
 * starts from it, and the deploy tests check the Kubernetes manifests against it (a
 * {@code KafkaTopic} per topic, the {@code KafkaUser}'s ACLs, the KEDA lag triggers), so code and
 * manifests cannot drift apart. When a service starts using another topic, add it here; the test
 * {@code deploy/.../KafkaManifestsTest} then names the manifests to change.
 *
 * @param topics                the topics, with partitions and topic configs
 * @param reads                 topics it consumes, in its group or by assign() (compacted tables)
 * @param writes                topics it produces to
 * @param group                 the consumer group whose lag is its backlog, if it has one
 * @param transactionalIdPrefix prefix of its transactional ids (exactly-once), if any
 * @param internalTopicPrefix   prefix of the topics it creates itself (a Kafka Streams application's
 *                              changelogs: {@code <application.id>-…}), if any
 */
public record KafkaAccess(List<TopicSpec> topics, Set<String> reads, Set<String> writes,
        Optional<ConsumerGroup> group, Optional<String> transactionalIdPrefix, Optional<String> internalTopicPrefix) {

    /** A service that creates no topics of its own. */
    public KafkaAccess(final List<TopicSpec> topics, final Set<String> reads, final Set<String> writes,
            final Optional<ConsumerGroup> group, final Optional<String> transactionalIdPrefix) {
        this(topics, reads, writes, group, transactionalIdPrefix, Optional.empty());
    }

    /** A consumer group and the topics it subscribes to (the lag KEDA scales the service on). */
    public record ConsumerGroup(String id, Set<String> topics) {
        public ConsumerGroup {
            topics = Set.copyOf(topics);
        }
    }

    public KafkaAccess {
        topics = List.copyOf(topics);
        reads = Set.copyOf(reads);
        writes = Set.copyOf(writes);
        final Set<String> names = Set.copyOf(topics.stream().map(TopicSpec::name).toList());
        for (final String topic : reads) {
            require(names.contains(topic), "reads " + topic + " without a TopicSpec for it");
        }
        for (final String topic : writes) {
            require(names.contains(topic), "writes " + topic + " without a TopicSpec for it");
        }
        if (group.isPresent()) {
            for (final String topic : group.get().topics()) {
                require(reads.contains(topic), "group " + group.get().id() + " subscribes to " + topic
                        + ", which is not among the topics read");
            }
        }
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

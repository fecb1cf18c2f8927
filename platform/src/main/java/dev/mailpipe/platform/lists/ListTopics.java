package dev.mailpipe.platform.lists;

import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.platform.TopicProvisioner.TopicSpec;
import dev.mailpipe.schemas.Topics;
import java.util.List;
import java.util.Map;

/**
 * The topics of address lists, as every service that touches them creates them: lists compacted
 * (one partition: they are few); members compacted and tasks with the same partition count,
 * because a list's members and its sends share a partition ({@code ListKeys.partition}); progress
 * compacted.
 */
public final class ListTopics {

    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact",
            "min.compaction.lag.ms", "0");

    private ListTopics() {
    }

    public static TopicSpec lists() {
        return CompactedTable.topicSpec(Topics.ADDRESS_LISTS.name());
    }

    /** Members, tasks, progress and event counts, {@code partitions} each. */
    public static List<TopicSpec> sends(final int partitions, final Map<String, String> topicConfig) {
        return List.of(
                new TopicSpec(Topics.ADDRESS_MEMBERS.name(), partitions, COMPACTED),
                new TopicSpec(Topics.LIST_TASKS.name(), partitions, topicConfig),
                new TopicSpec(Topics.LIST_TASK_PROGRESS.name(), partitions, COMPACTED),
                new TopicSpec(Topics.LIST_TASK_COUNTS.name(), partitions, COMPACTED));
    }
}

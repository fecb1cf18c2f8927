package dev.mailpipe.deliverer.queue;

/**
 * How far a consumer group is behind on one topic: the sum over the partitions it committed offsets
 * for of (end offset − committed offset).
 */
public record GroupLag(String group, String topic, int partitions, long lag) {
}

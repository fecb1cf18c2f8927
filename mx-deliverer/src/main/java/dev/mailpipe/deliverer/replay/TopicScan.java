package dev.mailpipe.deliverer.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A bounded read of one topic: every partition from the first offset whose timestamp is at or
 * after {@code fromTimestamp} ({@code offsetsForTimes}) up to the end offsets captured when the
 * scan starts. Records written during the scan (including the replay's own output) are not read,
 * so a scan always ends. Uses {@code assign()}: no group, no commits.
 */
final class TopicScan {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration stallTimeout;
    private final ReplayProgress progress;
    private final BooleanSupplier stop;

    /**
     * @param stallTimeout how long polls may return nothing while partitions are still short of
     *                     their end offset before the scan fails
     */
    TopicScan(final KafkaConsumer<byte[], byte[]> consumer, final Duration stallTimeout) {
        this(consumer, stallTimeout, new ReplayProgress(), () -> false);
    }

    /**
     * @param progress told the size of each scan and each record read
     * @param stop     checked between polls: true ends the scan early (Ctrl-C)
     */
    TopicScan(final KafkaConsumer<byte[], byte[]> consumer, final Duration stallTimeout, final ReplayProgress progress,
            final BooleanSupplier stop) {
        this.consumer = consumer;
        this.stallTimeout = stallTimeout;
        this.progress = progress;
        this.stop = stop;
    }

    /** Feeds every record in range to {@code visitor}, in offset order per partition; returns their number. */
    long scan(final String topic, final long fromTimestamp, final Consumer<ConsumerRecord<byte[], byte[]>> visitor) {
        final List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new ReplayException("topic " + topic + " does not exist");
        }
        final List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        consumer.assign(partitions); // before the offset lookups: read_committed end offsets are tracked for assigned partitions
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        final Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, fromTimestamp));
        final Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query);

        final Set<TopicPartition> remaining = new HashSet<>();
        final List<TopicPartition> empty = new ArrayList<>();
        long total = 0;
        for (final TopicPartition tp : partitions) {
            final OffsetAndTimestamp found = start.get(tp);
            if (found != null && found.offset() < end.get(tp)) {
                remaining.add(tp);
                total += end.get(tp) - found.offset(); // an upper bound: transaction markers take offsets too
                consumer.seek(tp, found.offset());
            } else {
                empty.add(tp);
            }
        }
        consumer.resume(partitions); // assign() of the same partitions keeps the pauses of the previous scan
        consumer.pause(empty);
        progress.startScan(topic, total);

        long scanned = 0;
        long lastProgress = System.nanoTime();
        while (!remaining.isEmpty() && !stop.getAsBoolean()) {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            for (final TopicPartition tp : records.partitions()) {
                final long limit = end.get(tp);
                for (final ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (record.offset() >= limit) {
                        break;
                    }
                    visitor.accept(record);
                    scanned++;
                    progress.scannedOne();
                }
            }
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            }
            final List<TopicPartition> done = new ArrayList<>();
            for (final TopicPartition tp : remaining) {
                if (consumer.position(tp) >= end.get(tp)) {
                    done.add(tp);
                }
            }
            if (!done.isEmpty()) {
                done.forEach(remaining::remove);
                consumer.pause(done);
                lastProgress = System.nanoTime();
            }
            if (!remaining.isEmpty() && System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
                throw new ReplayException("reading " + topic + " made no progress for " + stallTimeout.toSeconds()
                        + " s; partitions still short of their end offset: " + remaining);
            }
        }
        return scanned;
    }
}

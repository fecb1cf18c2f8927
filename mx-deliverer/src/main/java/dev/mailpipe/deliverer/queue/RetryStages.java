package dev.mailpipe.deliverer.queue;

import dev.mailpipe.deliverer.RetryStage;
import dev.mailpipe.platform.Durations;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Retry topics as stages: {@code mail.outbound.retry-30m} is stage {@code 30m}; shorter delays first. */
public final class RetryStages {

    private static final Duration UNKNOWN = Duration.ofMillis(Long.MAX_VALUE);

    private RetryStages() {
    }

    public static boolean isRetryTopic(final String topic) {
        return topic.startsWith(RetryStage.TOPIC_PREFIX) && topic.length() > RetryStage.TOPIC_PREFIX.length();
    }

    /** The stage's name: the topic without {@code mail.outbound.retry-}. */
    public static String label(final String topic) {
        return topic.startsWith(RetryStage.TOPIC_PREFIX) ? topic.substring(RetryStage.TOPIC_PREFIX.length()) : topic;
    }

    /** The retry topics among {@code topics}, by delay (a suffix that is no duration goes last, by name). */
    public static List<String> ordered(final java.util.Collection<String> topics) {
        return topics.stream().filter(RetryStages::isRetryTopic)
                .sorted(Comparator.comparing(RetryStages::delay).thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private static Duration delay(final String topic) {
        try {
            return Durations.parse(label(topic));
        } catch (final IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}

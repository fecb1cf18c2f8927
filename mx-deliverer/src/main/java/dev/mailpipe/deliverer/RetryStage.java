package dev.mailpipe.deliverer;

import dev.mailpipe.platform.Durations;
import java.time.Duration;

/** One retry delay and the topic that holds emails waiting for it, e.g. {@code mail.outbound.retry-5m}. */
public record RetryStage(int index, Duration delay, String topic) {

    public static final String TOPIC_PREFIX = "mail.outbound.retry-";

    public static RetryStage of(final int index, final Duration delay) {
        return new RetryStage(index, delay, TOPIC_PREFIX + Durations.format(delay));
    }
}

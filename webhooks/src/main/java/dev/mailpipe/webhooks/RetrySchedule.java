package dev.mailpipe.webhooks;

import dev.mailpipe.platform.Durations;
import dev.mailpipe.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a failed post is tried again. Attempt 1 is the post of an event read from
 * {@code mail.delivery-events}; after attempt {@code n} fails it waits in stage {@code n}
 * ({@code mail.webhooks.retry-<delay n>}) for attempt {@code n + 1}; after the last stage's attempt
 * fails the event goes to {@code mail.webhooks.dlt}. Pure.
 */
public final class RetrySchedule {

    /** One step of the schedule and the topic events wait in. */
    public record Stage(int index, Duration delay, String topic) {
    }

    private final List<Stage> stages;

    public RetrySchedule(final List<Duration> delays) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed");
        }
        final List<Stage> list = new ArrayList<>();
        for (int i = 0; i < delays.size(); i++) {
            list.add(new Stage(i, delays.get(i), topicOf(delays.get(i))));
        }
        this.stages = List.copyOf(list);
    }

    public static String topicOf(final Duration delay) {
        return Topics.WEBHOOKS_RETRY_PREFIX + Durations.format(delay);
    }

    public List<Stage> stages() {
        return stages;
    }

    /** The stage that waits after failed attempt {@code attempt} (1-based), or empty: dead-letter it. */
    public Optional<Stage> afterFailed(final int attempt) {
        return attempt >= 1 && attempt <= stages.size() ? Optional.of(stages.get(attempt - 1)) : Optional.empty();
    }

    /** The stage whose topic is {@code topic}, if it is one of ours. */
    public Optional<Stage> stageOf(final String topic) {
        return stages.stream().filter(s -> s.topic().equals(topic)).findFirst();
    }

    /** Retries after the first attempt. */
    public int retries() {
        return stages.size();
    }
}

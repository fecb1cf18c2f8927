package dev.mailpipe.deliverer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When to try a deferred email again. Attempt n (1-based) that defers waits the n-th configured
 * delay (the last one repeats) in that delay's topic; once the email is {@code maxAge} past its
 * first attempt, it expires instead. The last retry is pulled in to the deadline so that the
 * final attempt happens at {@code maxAge}, not up to one delay later.
 */
public final class RetryPolicy {

    /** What happens to an email after a deferred attempt. */
    public sealed interface Decision {
        record Retry(RetryStage stage, Instant dueAt, int nextAttempt) implements Decision {
        }

        record Expire(Duration age) implements Decision {
        }
    }

    private final List<RetryStage> stages;
    private final Duration maxAge;

    public RetryPolicy(final List<Duration> delays, final Duration maxAge) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed");
        }
        final List<RetryStage> list = new ArrayList<>();
        for (int i = 0; i < delays.size(); i++) {
            final RetryStage stage = RetryStage.of(i, delays.get(i));
            if (list.stream().noneMatch(s -> s.topic().equals(stage.topic()))) {
                list.add(stage);
            }
        }
        this.stages = List.copyOf(list);
        this.maxAge = maxAge;
    }

    public List<RetryStage> stages() {
        return stages;
    }

    public Duration maxAge() {
        return maxAge;
    }

    public Decision afterDeferral(final int attempt, final Instant firstAttempt, final Instant now) {
        final Instant deadline = firstAttempt.plus(maxAge);
        if (!now.isBefore(deadline)) {
            return new Decision.Expire(Duration.between(firstAttempt, now));
        }
        final RetryStage stage = stages.get(Math.min(Math.max(attempt, 1) - 1, stages.size() - 1));
        final Instant due = now.plus(stage.delay());
        return new Decision.Retry(stage, due.isAfter(deadline) ? deadline : due, attempt + 1);
    }

    public Optional<RetryStage> stageOf(final String topic) {
        return stages.stream().filter(s -> s.topic().equals(topic)).findFirst();
    }
}

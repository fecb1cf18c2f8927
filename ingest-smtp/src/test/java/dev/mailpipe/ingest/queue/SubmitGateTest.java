package dev.mailpipe.ingest.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailpipe.platform.queue.Submission;
import dev.mailpipe.platform.queue.Submitter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SubmitGateTest {

    @Test
    void shouldRefuseAtOnceAfterAFailureUntilAProbeSucceeds() {
        final AtomicBoolean kafka = new AtomicBoolean(true);
        final AtomicInteger tried = new AtomicInteger();
        final Submitter flaky = new Submitter() {
            @Override
            public boolean submit(final Submission submission) {
                tried.incrementAndGet();
                return kafka.get();
            }

            @Override
            public void close() {
            }
        };
        try (SubmitGate gate = new SubmitGate(kafka::get, Duration.ofMillis(200));
             GatedSubmitter submitter = new GatedSubmitter(flaky, gate)) {
            assertThat(submitter.submit(null)).isTrue();

            kafka.set(false);
            assertThat(submitter.submit(null)).isFalse();
            assertThat(gate.isOpen()).isFalse();
            assertThat(submitter.submit(null)).as("refused without trying").isFalse();
            assertThat(tried).hasValue(2);

            kafka.set(true);
            await().atMost(Duration.ofSeconds(5)).until(gate::isOpen);
            assertThat(submitter.submit(null)).isTrue();
        }
    }

    @Test
    void shouldCloseWhenAProbeFailsWithoutAnySubmission() {
        final AtomicBoolean kafka = new AtomicBoolean(true);
        try (SubmitGate gate = new SubmitGate(kafka::get, Duration.ofMillis(100))) {
            kafka.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> !gate.isOpen());
            kafka.set(true);
            await().atMost(Duration.ofSeconds(5)).until(gate::isOpen);
        }
    }

    @Test
    void shouldTreatAThrowingProbeAsUnreachable() {
        try (SubmitGate gate = new SubmitGate(() -> {
            throw new IllegalStateException("boom");
        }, Duration.ofMillis(100))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !gate.isOpen());
        }
    }
}

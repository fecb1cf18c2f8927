package dev.mailpipe.core.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdGeneratorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void shouldFollowTheDocumentedShape() {
        final MessageIdGenerator ids = new MessageIdGenerator(CLOCK, "sc-10.10.127.51");
        assertThat(ids.next(15)).matches("1795428000000_\\d+_15_\\d{1,4}\\.sc-10_10_127_51-inbound");
    }

    @Test
    void shouldBeUniqueWithinOneMillisecond() {
        final MessageIdGenerator ids = new MessageIdGenerator(CLOCK, "i");
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ids.next(1))).isTrue();
        }
    }

    @Test
    void shouldSanitizeInstanceIds() {
        assertThat(MessageIdGenerator.sanitize("Pod.Name/1")).isEqualTo("pod_name_1");
        assertThat(MessageIdGenerator.sanitize("  ")).isEqualTo("mailpipe");
    }
}

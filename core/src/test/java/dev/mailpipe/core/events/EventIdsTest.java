package dev.mailpipe.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    private static final String EMAIL = "1426390015358_15_6484_8661.sc-10_10_127_51-inbound0$ben@ifaxin.com";

    @Test
    void shouldGiveTheSameOutcomeTheSameId() {
        assertThat(EventIds.of("delivered", EMAIL, 1)).isEqualTo(EventIds.of("DELIVERED", EMAIL, 1));
    }

    @Test
    void shouldTellOutcomesApartByTypeSubjectAndAttempt() {
        assertThat(EventIds.of("delivered", EMAIL, 1))
                .isNotEqualTo(EventIds.of("deferred", EMAIL, 1))
                .isNotEqualTo(EventIds.of("delivered", EMAIL, 2))
                .isNotEqualTo(EventIds.of("delivered", EMAIL.replace("ben", "joe"), 1));
    }

    @Test
    void shouldKeepEngagementOccurrencesApart() {
        assertThat(EventIds.of("open", EMAIL, "r1")).isNotEqualTo(EventIds.of("open", EMAIL, "r2"));
    }

    @Test
    void shouldBeTheJdksNameBasedUuid() {
        // ids already on the events topic must not change: the same bytes as UUID.nameUUIDFromBytes
        for (final String name : new String[] {"", "delivered\n" + EMAIL + "\n1", "open\nx\nr1", "ünï\u00e7ødé\n\n0"}) {
            assertThat(EventIds.nameBased(name))
                    .isEqualTo(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString());
        }
    }
}

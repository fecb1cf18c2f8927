package dev.mailpipe.core.events;

import static org.assertj.core.api.Assertions.assertThat;

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
}

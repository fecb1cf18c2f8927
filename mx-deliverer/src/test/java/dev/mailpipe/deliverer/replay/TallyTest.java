package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TallyTest {

    @Test
    void shouldListTheLargestCountsFirstAndSumTheRest() {
        final Tally tally = new Tally(100, "(other)");
        for (final String d : new String[] {"a.test", "b.test", "a.test", "c.test", "a.test", "b.test", "d.test"}) {
            tally.add(d);
        }

        assertThat(tally.top(2)).containsExactly(Map.entry("a.test", 3L), Map.entry("b.test", 2L),
                Map.entry("(2 more)", 2L));
        assertThat(tally.top(10)).hasSize(4);
    }

    @Test
    void shouldCountNewKeysPastTheBoundAsOne() {
        final Tally tally = new Tally(2, "(other domains)");
        tally.add("a");
        tally.add("b");
        tally.add("c");
        tally.add("d");
        tally.add("a");

        assertThat(tally.top(10)).containsExactly(Map.entry("(other domains)", 2L), Map.entry("a", 2L),
                Map.entry("b", 1L));
    }

    @Test
    void shouldGroupReasonsThatDifferOnlyByAddressIpOrAttempts() {
        assertThat(Tally.reasonKey("550 5.1.1 <ann@a.test>: Recipient address rejected: User unknown"))
                .isEqualTo(Tally.reasonKey("550 5.1.1 <bob@b.test>: Recipient address rejected: User unknown"))
                .isEqualTo("550 5.1.1 <address>: Recipient address rejected: User unknown");
        assertThat(Tally.reasonKey("expired: no delivery within 5d after 9 attempt(s); last: 451 4.7.1 [192.0.2.7] greylisted"))
                .isEqualTo("expired: no delivery within 5d after N attempt(s); last: 451 4.7.1 [<ip>] greylisted");
        assertThat(Tally.reasonKey("250 2.0.0 Ok: queued as 3F2A1B9C7D")).isEqualTo("250 2.0.0 Ok: queued as …");
        assertThat(Tally.reasonKey(null)).isEqualTo("(no reason)");
        assertThat(Tally.reasonKey("x".repeat(300))).hasSize(120);
    }
}

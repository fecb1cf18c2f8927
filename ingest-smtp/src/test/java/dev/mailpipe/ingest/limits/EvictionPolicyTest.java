package dev.mailpipe.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvictionPolicyTest {

    private record Conn(String name, boolean authenticated, long idleSince) implements EvictionPolicy.Candidate {
    }

    private final EvictionPolicy policy = new EvictionPolicy(100, 0.9, 1_000);

    @Test
    void shouldEvictOnlyNearTheCap() {
        assertThat(policy.shouldEvict(89)).isFalse();
        assertThat(policy.shouldEvict(90)).isTrue();
        assertThat(policy.shouldEvict(100)).isTrue();
    }

    @Test
    void shouldChooseTheUnauthenticatedConnectionIdleTheLongest() {
        final List<Conn> open = List.of(
                new Conn("authenticated, idle longest", true, 0),
                new Conn("idle", false, 500),
                new Conn("idle longer", false, 100),
                new Conn("busy (in DATA or waiting for Kafka)", false, -1));
        assertThat(policy.choose(open, 10_000)).map(v -> v.connection().name()).contains("idle longer");
        assertThat(policy.choose(open, 10_000)).map(EvictionPolicy.Victim::idleSince).contains(100L);
    }

    @Test
    void shouldNeverEvictAuthenticatedOrBusyOrJustConnectedClients() {
        final List<Conn> open = List.of(
                new Conn("authenticated", true, 0),
                new Conn("busy", false, -1),
                new Conn("just connected", false, 9_500));
        assertThat(policy.choose(open, 10_000)).isEmpty();
    }

    @Test
    void shouldCountTheConnectionsItCouldEvict() {
        final List<Conn> open = List.of(
                new Conn("authenticated", true, 0),
                new Conn("busy", false, -1),
                new Conn("just connected", false, 9_500),
                new Conn("idle", false, 500),
                new Conn("idle longer", false, 100));
        assertThat(policy.evictable(open, 10_000)).isEqualTo(2);
    }

    /** A connection that receives a command while the policy looks at it: idle, then busy. */
    private static final class BecomesBusy implements EvictionPolicy.Candidate {
        private final Deque<Long> readings = new ArrayDeque<>(List.of(500L, -1L));

        @Override
        public boolean authenticated() {
            return false;
        }

        @Override
        public long idleSince() {
            return readings.size() > 1 ? readings.pop() : readings.peek();
        }
    }

    @Test
    void shouldJudgeEachConnectionByOneReadingOfItsIdleTime() {
        final EvictionPolicy.Candidate idleLonger = new Conn("idle longer", false, 100);
        final List<EvictionPolicy.Candidate> open = List.of(new BecomesBusy(), idleLonger);
        // read twice, the busy connection's -1 would sort first and it would be evicted mid-command
        assertThat(policy.choose(open, 10_000)).map(EvictionPolicy.Victim::connection).containsSame(idleLonger);
    }
}

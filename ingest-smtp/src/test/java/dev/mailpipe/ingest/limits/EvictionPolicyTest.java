package dev.mailpipe.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(policy.choose(open, 10_000)).map(Conn::name).contains("idle longer");
    }

    @Test
    void shouldNeverEvictAuthenticatedOrBusyOrJustConnectedClients() {
        final List<Conn> open = List.of(
                new Conn("authenticated", true, 0),
                new Conn("busy", false, -1),
                new Conn("just connected", false, 9_500));
        assertThat(policy.choose(open, 10_000)).isEmpty();
    }
}

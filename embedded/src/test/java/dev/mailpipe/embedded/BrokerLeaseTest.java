package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.embedded.BrokerLease.Adoption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BrokerLeaseTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final String TOKEN = "a1b2c3";

    private final BrokerLease lease = new BrokerLease(TOKEN, Duration.ofSeconds(30));

    @Test
    void shouldRefuseAdoptionWhileTheSpawningLauncherHoldsTheBroker() {
        assertThat(lease.request("ADOPT " + TOKEN, T0)).isEqualTo(Adoption.BUSY);
        assertThat(lease.held()).isTrue();
        assertThat(lease.expired(T0.plus(Duration.ofDays(1)))).as("a held broker never expires").isFalse();
    }

    @Test
    void shouldLetALauncherWithTheTokenAdoptAnOrphanWithinTheGrace() {
        lease.release(T0);
        assertThat(lease.expired(T0.plusSeconds(29))).isFalse();

        assertThat(lease.request("ADOPT " + TOKEN, T0.plusSeconds(29))).isEqualTo(Adoption.ADOPTED);

        assertThat(lease.held()).isTrue();
        assertThat(lease.expired(T0.plusSeconds(120))).as("the adopter holds it now").isFalse();
        assertThat(lease.request("ADOPT " + TOKEN, T0.plusSeconds(30))).as("one holder at a time")
                .isEqualTo(Adoption.BUSY);
    }

    @Test
    void shouldExpireAnOrphanNobodyAdoptedAndAnswerThatItIsStopping() {
        lease.release(T0);

        assertThat(lease.expired(T0.plusSeconds(30))).isTrue();
        assertThat(lease.request("ADOPT " + TOKEN, T0.plusSeconds(31))).isEqualTo(Adoption.STOPPING);
        assertThat(lease.held()).isFalse();
    }

    @Test
    void shouldStartAFreshGraceEachTimeAnAdopterGoesAway() {
        lease.release(T0);
        lease.request("ADOPT " + TOKEN, T0.plusSeconds(10));

        lease.release(T0.plusSeconds(100));

        assertThat(lease.expired(T0.plusSeconds(129))).isFalse();
        assertThat(lease.expired(T0.plusSeconds(130))).isTrue();
    }

    @Test
    void shouldKeepTheFirstReleaseTimeWhenReleasedTwice() {
        lease.release(T0);
        lease.release(T0.plusSeconds(20));

        assertThat(lease.expired(T0.plusSeconds(30))).isTrue();
    }

    @Test
    void shouldDenyAWrongTokenAndMalformedRequestsWithoutChangingTheLease() {
        lease.release(T0);

        assertThat(lease.request("ADOPT wrong", T0)).isEqualTo(Adoption.DENIED);
        assertThat(lease.request("ADOPT", T0)).isEqualTo(Adoption.DENIED);
        assertThat(lease.request("STEAL " + TOKEN, T0)).isEqualTo(Adoption.DENIED);
        assertThat(lease.request("", T0)).isEqualTo(Adoption.DENIED);
        assertThat(lease.request(null, T0)).as("the connection closed before a line").isEqualTo(Adoption.DENIED);
        assertThat(lease.held()).isFalse();
        assertThat(lease.request("adopt " + TOKEN + "\r", T0)).as("verb in any case, line ending stripped")
                .isEqualTo(Adoption.ADOPTED);
    }

    @Test
    void shouldExitAtOnceWithNoGrace() {
        final BrokerLease plain = new BrokerLease(TOKEN, Duration.ZERO);
        plain.release(T0);

        assertThat(plain.expired(T0)).isTrue();
        assertThat(plain.request("ADOPT " + TOKEN, T0)).isEqualTo(Adoption.STOPPING);
    }

    @Test
    void shouldReplyOnOneLineThePidOfAnAdoptedBroker() {
        assertThat(BrokerLease.reply(Adoption.ADOPTED, 4242)).isEqualTo("OK 4242");
        assertThat(BrokerLease.reply(Adoption.BUSY, 4242)).isEqualTo("BUSY");
        assertThat(BrokerLease.reply(Adoption.STOPPING, 4242)).isEqualTo("STOPPING");
        assertThat(BrokerLease.reply(Adoption.DENIED, 4242)).isEqualTo("DENIED");
    }
}

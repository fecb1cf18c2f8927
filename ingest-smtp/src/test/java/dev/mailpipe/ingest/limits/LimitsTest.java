package dev.mailpipe.ingest.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.core.limits.FailedAuthThrottle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitsTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-23T10:00:00Z");

        void advance(final Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldCapConnectionsPerAddressAndInTotal() {
        final ConnectionLimiter limiter = new ConnectionLimiter(3, 2);
        assertThat(limiter.tryOpen("a")).isTrue();
        assertThat(limiter.tryOpen("a")).isTrue();
        assertThat(limiter.tryOpen("a")).isFalse();
        assertThat(limiter.tryOpen("b")).isTrue();
        assertThat(limiter.tryOpen("c")).as("total cap").isFalse();
        limiter.release("a");
        assertThat(limiter.tryOpen("c")).isTrue();
        assertThat(limiter.open()).isEqualTo(3);
    }

    @Test
    void shouldBlockAuthAfterFailuresUntilTheWindowEnds() {
        final ManualClock clock = new ManualClock();
        final FailedAuthThrottle throttle = new FailedAuthThrottle(2, 60_000, clock);
        throttle.recordFailure("192.0.2.1");
        assertThat(throttle.isBlocked("192.0.2.1")).isFalse();
        throttle.recordFailure("192.0.2.1");
        assertThat(throttle.isBlocked("192.0.2.1")).isTrue();
        assertThat(throttle.isBlocked("192.0.2.2")).isFalse();
        clock.advance(Duration.ofSeconds(59));
        assertThat(throttle.isBlocked("192.0.2.1")).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.isBlocked("192.0.2.1")).isFalse();
    }

    @Test
    void shouldMapTrustedNetworksToAccounts() {
        final TrustedNetworks trusted = TrustedNetworks.parse(List.of("10.1.0.0/16=internal-app", " 192.168.5.7/32 = ops ",
                "fd00::/8=v6app"));
        assertThat(trusted.accountFor("10.1.200.3")).isEqualTo("internal-app");
        assertThat(trusted.accountFor("10.2.0.1")).isNull();
        assertThat(trusted.accountFor("192.168.5.7")).isEqualTo("ops");
        assertThat(trusted.accountFor("192.168.5.8")).isNull();
        assertThat(trusted.accountFor("fd12::1")).isEqualTo("v6app");
        assertThat(trusted.accountFor("127.0.0.1")).isNull();
        assertThat(TrustedNetworks.parse(List.of()).accountFor("10.1.0.1")).isNull();
    }

    @Test
    void shouldRejectMalformedTrustedNetworks() {
        assertThatThrownBy(() -> TrustedNetworks.parse(List.of("10.0.0.0/8"))).hasMessageContaining("CIDR=api_user");
        assertThatThrownBy(() -> TrustedNetworks.parse(List.of("10.0.0.0/33=a"))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> TrustedNetworks.parse(List.of("10.0.0/x=a"))).hasMessageContaining("bad CIDR");
    }
}

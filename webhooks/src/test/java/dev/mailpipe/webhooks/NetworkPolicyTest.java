package dev.mailpipe.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.webhooks.core.NetworkPolicy;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyTest {

    private static InetAddress ip(final String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void shouldRefuseLoopbackPrivateLinkLocalAndMetadataAddressesByDefault() throws Exception {
        final NetworkPolicy policy = NetworkPolicy.allowing(List.of());
        for (final String s : List.of("127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1")) {
            assertThat(policy.refusal(ip(s))).as(s).isPresent();
        }
        assertThat(policy.refusal(ip("169.254.169.254")).orElseThrow()).contains("link-local")
                .contains("MAILPIPE_WEBHOOK_ALLOWED_NETWORKS");
    }

    @Test
    void shouldAllowPublicAddresses() throws Exception {
        final NetworkPolicy policy = NetworkPolicy.allowing(List.of());
        assertThat(policy.refusal(ip("93.184.216.34"))).isEmpty();
        assertThat(policy.refusal(ip("2606:2800:220:1:248:1893:25c8:1946"))).isEmpty();
    }

    @Test
    void shouldAllowWhatTheAllowedNetworksContainAndNothingElse() throws Exception {
        final NetworkPolicy policy = NetworkPolicy.allowing(List.of("127.0.0.0/8", "10.0.0.5"));
        assertThat(policy.refusal(ip("127.0.0.2"))).isEmpty();
        assertThat(policy.refusal(ip("10.0.0.5"))).isEmpty();
        assertThat(policy.refusal(ip("10.0.0.6"))).isPresent();
        assertThat(policy.refusal(ip("::1"))).isPresent();
    }

    @Test
    void shouldRejectMalformedNetworks() {
        assertThatThrownBy(() -> NetworkPolicy.allowing(List.of("localhost"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetworkPolicy.allowing(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
    }
}

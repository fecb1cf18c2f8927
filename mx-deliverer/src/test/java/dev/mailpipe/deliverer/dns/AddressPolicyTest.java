package dev.mailpipe.deliverer.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailpipe.platform.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

    private final AddressPolicy strict = new AddressPolicy(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
        "169.254.10.10", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd12:3456::1", "::ffff:10.0.0.1",
        "224.0.0.1"})
    void shouldRefuseLoopbackPrivateAndLinkLocalTargets(final String address) throws Exception {
        assertThat(strict.permits(InetAddress.getByName(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "172.32.0.1", "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"})
    void shouldPermitPublicTargets(final String address) throws Exception {
        assertThat(strict.permits(InetAddress.getByName(address))).isTrue();
    }

    @Test
    void shouldPermitAnExplicitlyAllowedNetworkOnly() throws Exception {
        final AddressPolicy tests = new AddressPolicy(List.of(Cidr.parse("127.0.0.0/8")));

        assertThat(tests.permits(InetAddress.getByName("127.0.0.2"))).isTrue();
        assertThat(tests.permits(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThat(tests.permits(InetAddress.getByName("::1"))).isFalse();
    }

    @Test
    void shouldParseCidrsAndRejectNonsense() throws Exception {
        assertThat(Cidr.parse("10.1.0.0/16").contains(InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(Cidr.parse("10.1.0.0/16").contains(InetAddress.getByName("10.2.0.3"))).isFalse();
        assertThat(Cidr.parse("172.16.0.0/12").contains(InetAddress.getByName("172.20.0.1"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(Cidr.parse("fc00::/7").contains(InetAddress.getByName("fdff::1"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("mail.example.com/8")).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.mailpipe.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress behindIngress = new ClientAddress(List.of(Cidr.parse("10.0.0.0/8")));

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() throws Exception {
        assertThat(new ClientAddress(List.of()).of(ip("10.1.2.3"), List.of("198.51.100.9"))).isEqualTo("10.1.2.3");
    }

    @Test
    void fromATrustedProxyTheRightMostUntrustedHopIsTheClient() throws Exception {
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("198.51.100.9"))).isEqualTo("198.51.100.9");
        // A client that forges the header only adds entries on the left.
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("1.2.3.4, 198.51.100.9, 10.9.9.9")))
                .isEqualTo("198.51.100.9");
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("1.2.3.4", "198.51.100.9"))).isEqualTo("198.51.100.9");
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("[2001:db8::7]", "203.0.113.7:4711")))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void anUntrustedPeerOrAGarbledHeaderKeepsWhatIsKnown() throws Exception {
        assertThat(behindIngress.of(ip("198.51.100.1"), List.of("1.2.3.4"))).isEqualTo("198.51.100.1");
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("evil.example.com"))).isEqualTo("10.1.2.3");
        assertThat(behindIngress.of(ip("10.1.2.3"), List.of("unknown, 10.2.2.2"))).isEqualTo("10.2.2.2");
        assertThat(ClientAddress.literal("example.com")).isNull();
        assertThat(ClientAddress.literal("1.2.3")).isNull();
    }

    private static InetAddress ip(final String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}

package dev.mailpipe.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class LocalHostTest {

    @Test
    void shouldAcceptOnlyFullyQualifiedNames() {
        assertThat(LocalHost.isFqdn("mail.example.com")).isTrue();
        assertThat(LocalHost.isFqdn("mx-1.eu.example.co.uk")).isTrue();
        assertThat(LocalHost.isFqdn("mail.mailpipe.test")).isTrue();
        assertThat(LocalHost.isFqdn("localhost")).isFalse();
        assertThat(LocalHost.isFqdn("localhost.localdomain")).isFalse();
        assertThat(LocalHost.isFqdn("vm")).isFalse();
        assertThat(LocalHost.isFqdn("mailpipe-ingest-5d8f9")).isFalse();
        assertThat(LocalHost.isFqdn("127.0.0.1")).isFalse();
        assertThat(LocalHost.isFqdn("bad_name.example.com")).isFalse();
        assertThat(LocalHost.isFqdn("")).isFalse();
    }

    @Test
    void shouldRefuseANonFqdnNamingTheSetting() {
        assertThat(LocalHost.requireFqdn("mail.example.com")).isEqualTo("mail.example.com");
        assertThatThrownBy(() -> LocalHost.requireFqdn("localhost")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("MAILPIPE_HOSTNAME").hasMessageContaining("HELO_LOCALHOST");
    }
}

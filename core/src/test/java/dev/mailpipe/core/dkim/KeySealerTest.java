package dev.mailpipe.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeySealerTest {

    private final KeySealer sealer = KeySealer.of("correct horse battery staple");
    private final byte[] plain = "private key bytes".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldOpenWhatItSealedAndNeverStoreTheClearKey() {
        final byte[] sealed = sealer.seal("shop.example", "mp1", plain);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("private key bytes");
        assertThat(sealer.open("shop.example", "mp1", sealed)).isEqualTo(plain);
        assertThat(sealer.seal("shop.example", "mp1", plain)).isNotEqualTo(sealed); // fresh nonce
    }

    @Test
    void shouldRefuseAnotherSecretOrAnotherDomainsRecord() {
        final byte[] sealed = sealer.seal("shop.example", "mp1", plain);

        assertThatThrownBy(() -> KeySealer.of("another secret of some length").open("shop.example", "mp1", sealed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAILPIPE_KEYS_SECRET");
        assertThatThrownBy(() -> sealer.open("evil.example", "mp1", sealed)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseAShortSecret() {
        assertThatThrownBy(() -> KeySealer.of("short")).hasMessageContaining("16");
        assertThat(KeySealer.newSecret()).hasSizeGreaterThanOrEqualTo(KeySealer.MIN_SECRET_LENGTH);
    }
}

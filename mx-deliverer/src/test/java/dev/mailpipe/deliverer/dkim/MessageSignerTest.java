package dev.mailpipe.deliverer.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.dkim.DkimAlgorithm;
import dev.mailpipe.core.dkim.DkimKeys;
import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.deliverer.smtp.DataEncoder;
import dev.mailpipe.schemas.DkimAlgorithmName;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageSignerTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final KeySealer SEALER = KeySealer.of("deliverer test keys secret");
    private final Map<String, SenderDomain> domains = new HashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static DkimKeyRecord key(final String domain, final String selector, final DkimAlgorithm a,
            final Instant retired, final KeySealer sealer) {
        final KeyPair pair = DkimKeys.generate(a);
        return new DkimKeyRecord(selector, a == DkimAlgorithm.RSA_SHA256 ? DkimAlgorithmName.rsa_sha256
                : DkimAlgorithmName.ed25519_sha256, DkimKeys.dnsPublicKey(a, pair.getPublic()),
                ByteBuffer.wrap(sealer.seal(domain, selector, pair.getPrivate().getEncoded())), NOW, retired);
    }

    private MessageSigner signer(final KeySealer sealer) {
        final DkimKeyring keyring = new DkimKeyring(d -> Optional.ofNullable(domains.get(d)), sealer);
        return new MessageSigner(keyring, Clock.fixed(NOW, ZoneOffset.UTC), registry);
    }

    private void register(final String domain, final DkimKeyRecord... keys) {
        domains.put(domain, new SenderDomain(domain, "shop", List.of(keys), NOW, NOW));
    }

    @Test
    void shouldSignWithTheActiveKeysOfTheClosestRegisteredParent() {
        register("shop.example", key("shop.example", "old", DkimAlgorithm.RSA_SHA256, NOW, SEALER),
                key("shop.example", "new", DkimAlgorithm.ED25519_SHA256, null, SEALER));

        final String signed = new String(signer(SEALER).wireForm(
                "From: <a@news.shop.example>\nSubject: x\n\nhi\n".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);

        assertThat(signed).startsWith("DKIM-Signature: v=1; a=ed25519-sha256;").contains("d=shop.example;").contains("s=new;")
                .doesNotContain("s=old").endsWith("From: <a@news.shop.example>\r\nSubject: x\r\n\r\nhi\r\n");
        assertThat(registry.counter("mailpipe.deliverer.dkim", "result", "signed", "detail", "ed25519-sha256").count())
                .isEqualTo(1);
    }

    @Test
    void shouldSendWhatItSignedByteForByte() {
        register("shop.example", key("shop.example", "s", DkimAlgorithm.RSA_SHA256, null, SEALER));
        final byte[] content = "From: a@shop.example\n\n.leading dot\r\nbare\rcr\n..two dots\nno final newline"
                .getBytes(StandardCharsets.US_ASCII);

        final byte[] signed = signer(SEALER).wireForm(content);

        // what DataEncoder puts on the wire, dot-unstuffed by the receiver, is exactly the signed message
        assertThat(unstuff(DataEncoder.encode(signed))).isEqualTo(signed);
    }

    @Test
    void shouldSendUnsignedWhenNoKeysOrTheKeysDoNotOpen() {
        register("shop.example", key("shop.example", "s", DkimAlgorithm.RSA_SHA256, null, SEALER));
        final byte[] other = "From: a@other.example\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] shop = "From: a@shop.example\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(signer(SEALER).wireForm(other)).isEqualTo(other);
        assertThat(signer(KeySealer.of("another secret, not the one")).wireForm(shop)).isEqualTo(shop);
        assertThat(signer(null).wireForm(shop)).isEqualTo(shop);
        assertThat(registry.counter("mailpipe.deliverer.dkim", "result", "unsigned", "detail", "no_keys").count()).isEqualTo(1);
        assertThat(registry.counter("mailpipe.deliverer.dkim", "result", "unsigned", "detail", "key_unusable").count())
                .isEqualTo(2);
    }

    @Test
    void shouldUseNewKeysOnceTheDomainChanged() {
        register("shop.example", key("shop.example", "one", DkimAlgorithm.RSA_SHA256, null, SEALER));
        final DkimKeyring keyring = new DkimKeyring(d -> Optional.ofNullable(domains.get(d)), SEALER);
        assertThat(keyring.keysFor("shop.example").keys()).extracting(k -> k.selector()).containsExactly("one");

        register("shop.example", key("shop.example", "two", DkimAlgorithm.RSA_SHA256, null, SEALER));
        keyring.changed("shop.example");

        assertThat(keyring.keysFor("shop.example").keys()).extracting(k -> k.selector()).containsExactly("two");
    }

    private static byte[] unstuff(final byte[] data) {
        final String text = new String(data, StandardCharsets.ISO_8859_1);
        final String body = text.substring(0, text.length() - ".\r\n".length());
        final StringBuilder out = new StringBuilder();
        for (final String line : body.split("\r\n", -1)) {
            out.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final String joined = out.substring(0, out.length() - 2); // split added one CRLF too many
        bytes.writeBytes(joined.getBytes(StandardCharsets.ISO_8859_1));
        return bytes.toByteArray();
    }
}

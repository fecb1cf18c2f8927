package dev.mailpipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackingTokensTest {

    private static final byte[] K1 = key('1');
    private static final byte[] K2 = key('2');
    private static final TrackingToken CLICK = new TrackingToken(TrackingKind.CLICK,
            "1426390015358_15_6484_8661.sc-10_10_127_51-inbound1$joe@ifaxin.com",
            "1426390015358_15_6484_8661.sc-10_10_127_51-inbound", "api_user", "joe@ifaxin.com",
            "https://shop.example/p?id=497&name=Joe#top", "7", null, Map.of("SC-Custom-campaign", "金牌"));

    private static byte[] key(final char fill) {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    private static TrackingTokens tokens(final String signing, final Map<String, byte[]> keys) {
        return new TrackingTokens(new TokenKeys(signing, keys));
    }

    @Test
    void shouldRoundTripEveryField() {
        final TrackingTokens tokens = tokens("k1", Map.of("k1", K1));

        final String token = tokens.sign(CLICK);

        assertThat(token).matches("[A-Za-z0-9_-]+");
        assertThat(tokens.verify(token)).contains(CLICK);
    }

    @Test
    void shouldRoundTripAnOpenTokenWithoutOptionalFields() {
        final TrackingTokens tokens = tokens("k1", Map.of("k1", K1));
        final TrackingToken open = CLICK.as(TrackingKind.OPEN, null);

        assertThat(tokens.verify(tokens.sign(open))).contains(open);
    }

    @Test
    void shouldRefuseATamperedToken() {
        final TrackingTokens tokens = tokens("k1", Map.of("k1", K1));
        final byte[] raw = Base64.getUrlDecoder().decode(tokens.sign(CLICK));
        for (int i = 0; i < raw.length; i++) {
            final byte[] copy = raw.clone();
            copy[i] ^= 0x01;
            assertThat(tokens.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(copy))).as("byte %d", i).isEmpty();
        }
    }

    @Test
    void shouldRefuseATokenSignedWithAnotherKey() {
        final String foreign = tokens("k1", Map.of("k1", K2)).sign(CLICK);

        assertThat(tokens("k1", Map.of("k1", K1)).verify(foreign)).isEmpty();
    }

    @Test
    void shouldVerifyOldLinksAfterARotationAndSignWithTheNewestKey() {
        final String old = tokens("k1", Map.of("k1", K1)).sign(CLICK);
        final TrackingTokens rotated = tokens("k2", Map.of("k2", K2, "k1", K1));

        assertThat(rotated.verify(old)).contains(CLICK);
        final String fresh = rotated.sign(CLICK);
        assertThat(tokens("k2", Map.of("k2", K2)).verify(fresh)).contains(CLICK);
        assertThat(tokens("k2", Map.of("k2", K2)).verify(old)).as("k1 retired").isEmpty();
    }

    @Test
    void shouldRefuseGarbage() {
        final TrackingTokens tokens = tokens("k1", Map.of("k1", K1));

        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        assertThat(tokens.verify("not base64 !")).isEmpty();
        assertThat(tokens.verify("AQ")).isEmpty();
        assertThat(tokens.verify("A".repeat(20_000))).isEmpty();
        assertThat(tokens.verify(tokens.sign(CLICK) + "AA")).isEmpty();
    }

    @Test
    void shouldRefuseAFieldTooLongToSign() {
        final TrackingTokens tokens = tokens("k1", Map.of("k1", K1));
        final TrackingToken huge = CLICK.as(TrackingKind.CLICK, "https://x.example/" + "a".repeat(70_000));

        assertThatThrownBy(() -> tokens.sign(huge)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldInsistThatOnlyClicksCarryAUrl() {
        assertThatThrownBy(() -> CLICK.as(TrackingKind.OPEN, "https://x.example/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CLICK.as(TrackingKind.CLICK, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldParseTheSecretTextNewestFirst() {
        final String text = TokenKeys.format("k2", K2) + "," + TokenKeys.format("k1", K1);

        final TokenKeys keys = TokenKeys.parse(text);

        assertThat(keys.signingKeyId()).isEqualTo("k2");
        assertThat(keys.keys()).containsOnlyKeys("k1", "k2");
    }

    @Test
    void shouldRefuseWeakOrMalformedSecretsWithoutEchoingThem() {
        final String weak = "k1:" + Base64.getEncoder().encodeToString("short".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> TokenKeys.parse(weak)).hasMessageNotContaining("c2hvcnQ").hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> TokenKeys.parse("k1:%%%")).hasMessageNotContaining("%%%");
        assertThatThrownBy(() -> TokenKeys.parse("nokey")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenKeys.parse(TokenKeys.format("k1", K1) + "," + TokenKeys.format("k1", K2)))
                .hasMessageContaining("twice");
    }
}

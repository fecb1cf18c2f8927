package dev.mailpipe.core.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Map;

/**
 * The token parsing the web service's /o /c /u endpoints run on every request path (the HTTP
 * request parsing itself lives in the web module): any text is either a valid token or
 * {@code Optional.empty()}, never an exception; and whatever fields a token carries, it survives
 * sign → verify unchanged.
 */
class TrackingTokensFuzzTest {

    private static final TrackingTokens TOKENS = new TrackingTokens(new TokenKeys("k1", Map.of("k1", key('1'),
            "k0", key('0'))));

    private static byte[] key(final char fill) {
        final byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    @FuzzTest(maxDuration = "60s")
    void verifyAnyText(final FuzzedDataProvider data) {
        final String text = data.consumeRemainingAsString();
        assertThat(TOKENS.verify(text)).isNotNull();
    }

    @FuzzTest(maxDuration = "60s")
    void signThenVerify(final FuzzedDataProvider data) {
        final TrackingKind kind = data.pickValue(TrackingKind.values());
        final TrackingToken token = new TrackingToken(kind, data.consumeString(200), data.consumeString(100),
                data.consumeString(50), data.consumeString(100),
                kind == TrackingKind.CLICK ? data.consumeString(500) : null,
                data.consumeBoolean() ? data.consumeString(20) : null,
                data.consumeBoolean() ? data.consumeString(20) : null,
                data.consumeBoolean() ? Map.of("SC-Custom-" + data.consumeString(20), data.consumeString(50)) : Map.of());
        final String signed = TOKENS.sign(token);
        assertThat(TOKENS.verify(signed)).contains(token);
        // one flipped character is never accepted as another valid token of different content
        if (!signed.isEmpty()) {
            final int at = data.consumeInt(0, signed.length() - 1);
            final char flipped = signed.charAt(at) == 'A' ? 'B' : 'A';
            final String tampered = signed.substring(0, at) + flipped + signed.substring(at + 1);
            TOKENS.verify(tampered).ifPresent(other -> assertThat(other).isEqualTo(token));
        }
    }
}

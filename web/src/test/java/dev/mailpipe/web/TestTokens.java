package dev.mailpipe.web;

import dev.mailpipe.core.tracking.TokenKeys;
import dev.mailpipe.core.tracking.TrackingKind;
import dev.mailpipe.core.tracking.TrackingToken;
import dev.mailpipe.core.tracking.TrackingTokens;
import java.security.SecureRandom;
import java.util.Map;

/** Tokens as the expander signs them, for the tests. */
final class TestTokens {

    private TestTokens() {
    }

    static String newSecret(final String id) {
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return TokenKeys.format(id, key);
    }

    static TrackingToken token(final TrackingKind kind, final String recipient, final String url) {
        return new TrackingToken(kind, "msg-1" + "0$" + recipient, "msg-1", "acct", recipient, url, "7", "task-9",
                Map.of("SC-Custom-campaign", "spring"));
    }

    static String sign(final String secret, final TrackingToken token) {
        return new TrackingTokens(TokenKeys.parse(secret)).sign(token);
    }
}

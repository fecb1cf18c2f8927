package dev.mailpipe.webhooks.core;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SendCloud's webhook signature: {@code signature = hex(HMAC-SHA256(key = appKey, message =
 * timestamp + token))} with a fresh 50-character random {@code token} per post. A JSON batch signs
 * {@code timestamp + token + body} so the events themselves are covered too. Pure apart from the
 * token's randomness.
 */
public final class Signature {

    /** SendCloud's token length. */
    public static final int TOKEN_LENGTH = 50;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Signature() {
    }

    /** A new random token of {@link #TOKEN_LENGTH} letters and digits. */
    public static String newToken() {
        final StringBuilder s = new StringBuilder(TOKEN_LENGTH);
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    /** The form post's signature over {@code timestamp + token}. */
    public static String sign(final String appKey, final long timestamp, final String token) {
        return hmac(appKey, (timestamp + token).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON batch's signature over {@code timestamp + token + body}. */
    public static String signBody(final String appKey, final long timestamp, final String token, final byte[] body) {
        final byte[] prefix = (timestamp + token).getBytes(StandardCharsets.UTF_8);
        final byte[] message = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        return hmac(appKey, message);
    }

    private static String hmac(final String appKey, final byte[] message) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (final NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}

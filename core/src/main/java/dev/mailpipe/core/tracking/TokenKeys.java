package dev.mailpipe.core.tracking;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The HMAC keys of tracking tokens, by id: the newest ({@link #signingKeyId}) signs, every key
 * verifies, so a key can be rotated without breaking links already delivered.
 *
 * <p>Text form (the value of {@code MAILPIPE_TRACKING_SECRET}): {@code id:base64key[,id:base64key...]},
 * newest first. Ids are 1 to 16 characters of {@code [A-Za-z0-9_-]}; keys at least 32 bytes.
 */
public record TokenKeys(String signingKeyId, Map<String, byte[]> keys) {

    public static final int MIN_KEY_BYTES = 32;

    public TokenKeys {
        Objects.requireNonNull(signingKeyId, "signingKeyId");
        keys = Map.copyOf(keys);
        if (!keys.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("signing key " + signingKeyId + " is not among the keys");
        }
        for (final Map.Entry<String, byte[]> e : keys.entrySet()) {
            if (!e.getKey().matches("[A-Za-z0-9_-]{1,16}")) {
                throw new IllegalArgumentException("key id must be 1-16 characters of [A-Za-z0-9_-]: " + e.getKey());
            }
            if (e.getValue().length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("key " + e.getKey() + " is shorter than " + MIN_KEY_BYTES + " bytes");
            }
        }
    }

    /** Parses {@code id:base64key[,id:base64key...]}, newest first; messages never echo key material. */
    public static TokenKeys parse(final String text) {
        final Map<String, byte[]> keys = new LinkedHashMap<>();
        String first = null;
        for (final String item : text.split(",")) {
            final String entry = item.strip();
            final int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected id:base64key, got an entry without an id");
            }
            final String id = entry.substring(0, colon);
            final byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).getBytes(StandardCharsets.US_ASCII));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException("key " + id + " is not valid base64");
            }
            if (keys.put(id, key) != null) {
                throw new IllegalArgumentException("key id " + id + " appears twice");
            }
            if (first == null) {
                first = id;
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("no keys");
        }
        return new TokenKeys(first, keys);
    }

    /** The text form of one new key, for generating a secret. */
    public static String format(final String id, final byte[] key) {
        return id + ":" + Base64.getEncoder().encodeToString(key);
    }
}

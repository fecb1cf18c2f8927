package dev.mailpipe.core.tracking;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies tracking tokens: self-contained, URL-safe (base64url, no padding), HMAC-SHA256.
 * Serving a link needs no store lookup, and a token that fails verification yields nothing.
 *
 * <p>Layout before base64url: {@code version(1) keyIdLength(1) keyId payload mac(16)}, where the MAC
 * (HMAC-SHA256 truncated to 128 bits, RFC 2104 §5) covers every byte before it, and the payload is
 * the token's fields as length-prefixed UTF-8. Thread-safe.
 */
public final class TrackingTokens {

    private static final int VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final int MAX_TOKEN_CHARS = 16_384;
    private static final String HMAC = "HmacSHA256";

    private final TokenKeys keys;

    public TrackingTokens(final TokenKeys keys) {
        this.keys = keys;
    }

    /**
     * The token for {@code token}, signed with the newest key.
     *
     * @throws IllegalArgumentException when a field is longer than 65535 bytes (leave such a link as it is)
     */
    public String sign(final TrackingToken token) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            final byte[] keyId = keys.signingKeyId().getBytes(StandardCharsets.US_ASCII);
            out.writeByte(VERSION);
            out.writeByte(keyId.length);
            out.write(keyId);
            out.writeByte(token.kind().code());
            writeString(out, token.emailId());
            writeString(out, token.messageId());
            writeString(out, token.apiUser());
            writeString(out, token.recipient());
            writeOptional(out, token.url());
            writeOptional(out, token.label());
            writeOptional(out, token.mailListTaskId());
            out.writeShort(token.customHeaders().size());
            for (final Map.Entry<String, String> h : new java.util.TreeMap<>(token.customHeaders()).entrySet()) {
                writeString(out, h.getKey());
                writeString(out, h.getValue());
            }
        } catch (final java.io.UTFDataFormatException e) {
            throw new IllegalArgumentException("a token field is longer than 65535 bytes", e);
        } catch (final IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail otherwise
        }
        final byte[] body = bytes.toByteArray();
        final byte[] mac = mac(keys.keys().get(keys.signingKeyId()), body, body.length);
        final byte[] all = Arrays.copyOf(body, body.length + MAC_BYTES);
        System.arraycopy(mac, 0, all, body.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    }

    /** The token's fields when {@code text} was signed by one of the keys and is well formed; else empty. */
    public Optional<TrackingToken> verify(final String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        final byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(text);
        } catch (final IllegalArgumentException e) {
            return Optional.empty();
        }
        if (all.length < 3 + MAC_BYTES || all[0] != VERSION) {
            return Optional.empty();
        }
        final int keyIdLength = all[1] & 0xff;
        if (2 + keyIdLength + MAC_BYTES > all.length) {
            return Optional.empty();
        }
        final String keyId = new String(all, 2, keyIdLength, StandardCharsets.US_ASCII);
        final byte[] key = keys.keys().get(keyId);
        if (key == null) {
            return Optional.empty();
        }
        final int bodyLength = all.length - MAC_BYTES;
        final byte[] expected = mac(key, all, bodyLength);
        if (!MessageDigest.isEqual(Arrays.copyOf(expected, MAC_BYTES), Arrays.copyOfRange(all, bodyLength, all.length))) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 2 + keyIdLength,
                bodyLength - 2 - keyIdLength))) {
            final TrackingKind kind = TrackingKind.ofCode(in.readUnsignedByte());
            final String emailId = in.readUTF();
            final String messageId = in.readUTF();
            final String apiUser = in.readUTF();
            final String recipient = in.readUTF();
            final String url = readOptional(in);
            final String label = readOptional(in);
            final String task = readOptional(in);
            final int headers = in.readUnsignedShort();
            final Map<String, String> custom = new LinkedHashMap<>();
            for (int i = 0; i < headers; i++) {
                custom.put(in.readUTF(), in.readUTF());
            }
            if (in.available() != 0) {
                return Optional.empty();
            }
            return Optional.of(new TrackingToken(kind, emailId, messageId, apiUser, recipient, url, label, task, custom));
        } catch (final IOException | IllegalArgumentException e) {
            // Signed but not decodable: a token of a newer layout, or a bug; never trusted.
            return Optional.empty();
        }
    }

    private static void writeString(final DataOutputStream out, final String value) throws IOException {
        out.writeUTF(value);
    }

    private static void writeOptional(final DataOutputStream out, final String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readOptional(final DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static byte[] mac(final byte[] key, final byte[] data, final int length) {
        try {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (final NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

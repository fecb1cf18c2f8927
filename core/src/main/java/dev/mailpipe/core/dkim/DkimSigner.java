package dev.mailpipe.core.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DKIM signatures (RFC 6376) with rsa-sha256 or ed25519-sha256 (RFC 8463), relaxed/relaxed,
 * over the JDK's own crypto. Pure: the same message, keys and time give the same header (RSA
 * signatures are deterministic; Ed25519 too).
 *
 * <p>{@code h=} lists {@link #SIGNED_HEADERS} that are present, each as often as it occurs, plus
 * {@code from} once more (oversigned, so a From: added in transit breaks the signature). The
 * message must be in {@link MessageText#wireForm wire form}; the caller sends exactly
 * {@code signed} and changes no byte afterwards.
 */
public final class DkimSigner {

    /** The fields signed where present, in this order. */
    public static final List<String> SIGNED_HEADERS = List.of("from", "to", "cc", "reply-to", "subject", "date",
            "message-id", "mime-version", "content-type", "content-transfer-encoding", "list-unsubscribe",
            "list-unsubscribe-post");

    private static final int LINE = 76;

    /** One signing key: the {@code d=} domain, the {@code s=} selector and the private key. */
    public record Key(String domain, String selector, DkimAlgorithm algorithm, PrivateKey privateKey) {
    }

    private DkimSigner() {
    }

    /** {@code message} (wire form) with one DKIM-Signature field per key prepended. */
    public static byte[] sign(final byte[] message, final List<Key> keys, final Instant now) {
        if (keys.isEmpty()) {
            return message;
        }
        final byte[] headers = signatureFields(message, keys, now).getBytes(StandardCharsets.ISO_8859_1);
        final byte[] out = new byte[headers.length + message.length];
        System.arraycopy(headers, 0, out, 0, headers.length);
        System.arraycopy(message, 0, out, headers.length, message.length);
        return out;
    }

    /** The DKIM-Signature fields (each ending in CRLF) for {@code message} (wire form). */
    public static String signatureFields(final byte[] message, final List<Key> keys, final Instant now) {
        final MessageText.Split split = MessageText.split(message);
        final List<String> fields = MessageText.headerFields(message, split.headerEnd());
        final String bodyHash = bodyHash(message, split.bodyStart());
        final List<String> signed = new ArrayList<>();
        final StringBuilder headerData = new StringBuilder();
        selectHeaders(fields, signed, headerData);
        final StringBuilder out = new StringBuilder();
        for (final Key key : keys) {
            out.append(signatureField(key, signed, bodyHash, headerData, now.getEpochSecond()));
        }
        return out.toString();
    }

    private static String bodyHash(final byte[] message, final int bodyStart) {
        final MessageDigest sha = sha256();
        Relaxed.body(message, bodyStart, sha);
        return Base64.getEncoder().encodeToString(sha.digest());
    }

    /** Picks the instances to sign (the last not yet used one for each name in h=, RFC 6376 §5.4.2). */
    private static void selectHeaders(final List<String> fields, final List<String> names, final StringBuilder data) {
        final Map<String, List<String>> byName = new HashMap<>();
        for (final String field : fields) {
            if (field.indexOf(':') > 0) {
                byName.computeIfAbsent(MessageText.name(field).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(field);
            }
        }
        for (final String name : SIGNED_HEADERS) {
            final List<String> instances = byName.getOrDefault(name, List.of());
            for (int i = instances.size() - 1; i >= 0; i--) {
                names.add(name);
                data.append(Relaxed.header(instances.get(i)));
            }
        }
        names.add("from"); // oversigned: no instance left, contributes nothing, but forbids another From:
    }

    private static String signatureField(final Key key, final List<String> names, final String bodyHash,
            final CharSequence headerData, final long timestamp) {
        final Folder f = new Folder("DKIM-Signature: ");
        f.tag("v=1;").tag("a=" + key.algorithm().tag() + ";").tag("c=relaxed/relaxed;")
                .tag("d=" + key.domain() + ";").tag("s=" + key.selector() + ";").tag("t=" + timestamp + ";");
        f.list("h=", names);
        f.tag("bh=" + bodyHash + ";");
        f.tag("b=");
        final String unsigned = f.text();
        final String canonical = Relaxed.header(unsigned);
        final byte[] toSign = (headerData + canonical.substring(0, canonical.length() - 2))
                .getBytes(StandardCharsets.ISO_8859_1);
        final String b = Base64.getEncoder().encodeToString(signature(key, toSign));
        return unsigned + f.fold(b) + "\r\n";
    }

    private static byte[] signature(final Key key, final byte[] data) {
        try {
            return switch (key.algorithm()) {
                case RSA_SHA256 -> {
                    final Signature rsa = Signature.getInstance("SHA256withRSA");
                    rsa.initSign(key.privateKey());
                    rsa.update(data);
                    yield rsa.sign();
                }
                case ED25519_SHA256 -> {
                    // RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data
                    final Signature ed = Signature.getInstance("Ed25519");
                    ed.initSign(key.privateKey());
                    ed.update(sha256().digest(data));
                    yield ed.sign();
                }
            };
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with " + key.selector() + "._domainkey." + key.domain()
                    + ": " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds a folded header field: lines of at most about 76 characters, folded at tag boundaries. */
    private static final class Folder {
        private final StringBuilder text = new StringBuilder();
        private int column;

        Folder(final String start) {
            text.append(start);
            column = start.length();
        }

        Folder tag(final String tag) {
            if (column > 1 && column + 1 + tag.length() > LINE) {
                text.append("\r\n\t");
                column = 1;
            } else if (text.charAt(text.length() - 1) != ' ' && text.charAt(text.length() - 1) != '\t') {
                text.append(' ');
                column++;
            }
            text.append(tag);
            column += tag.length();
            return this;
        }

        void list(final String start, final List<String> items) {
            tag(start + items.get(0) + (items.size() == 1 ? ";" : ":"));
            for (int i = 1; i < items.size(); i++) {
                final String item = items.get(i) + (i == items.size() - 1 ? ";" : ":");
                if (column + item.length() > LINE) {
                    text.append("\r\n\t");
                    column = 1;
                }
                text.append(item);
                column += item.length();
            }
        }

        /** The base64 signature folded to the line length (whitespace inside b= is ignored by verifiers). */
        String fold(final String value) {
            final StringBuilder out = new StringBuilder();
            int col = column;
            int i = 0;
            while (i < value.length()) {
                final int room = Math.max(1, LINE - col);
                final int end = Math.min(value.length(), i + room);
                out.append(value, i, end);
                i = end;
                if (i < value.length()) {
                    out.append("\r\n\t");
                    col = 1;
                }
            }
            return out.toString();
        }

        String text() {
            return text.toString();
        }
    }
}

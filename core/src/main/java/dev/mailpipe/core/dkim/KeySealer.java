package dev.mailpipe.core.dkim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts private keys at rest: AES-256-GCM under a key derived (HMAC-SHA256, a fixed label) from
 * the operator's secret ({@code MAILPIPE_KEYS_SECRET}). A sealed key is {@code 0x01 | 12-byte
 * nonce | ciphertext+tag}; the associated data binds it to its domain and selector, so a sealed
 * key copied onto another domain's record does not open. Thread-safe.
 */
public final class KeySealer {

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** A secret shorter than this is refused: it would be guessable. */
    public static final int MIN_SECRET_LENGTH = 16;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private KeySealer(final SecretKeySpec key) {
        this.key = key;
    }

    /** A sealer for {@code secret} (any string of at least {@value #MIN_SECRET_LENGTH} characters). */
    public static KeySealer of(final String secret) {
        if (secret == null || secret.strip().length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("the keys secret must have at least " + MIN_SECRET_LENGTH + " characters");
        }
        try {
            final Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secret.strip().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return new KeySealer(new SecretKeySpec(hmac.doFinal("mailpipe dkim private keys v1"
                    .getBytes(StandardCharsets.US_ASCII)), "AES"));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new random secret (32 bytes, base64) for a data dir's {@code keys-secret} file. */
    public static String newSecret() {
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public byte[] seal(final String domain, final String selector, final byte[] plain) {
        final byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(domain, selector));
            final byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The plain key; {@link IllegalArgumentException} when it was sealed under another secret or altered. */
    public byte[] open(final String domain, final String selector, final byte[] sealed) {
        if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new IllegalArgumentException("not a sealed key (unknown format)");
        }
        try {
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(aad(domain, selector));
            return cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
        } catch (final AEADBadTagException e) {
            throw new IllegalArgumentException("the private key of " + selector + "._domainkey." + domain
                    + " does not open with this MAILPIPE_KEYS_SECRET (sealed under another secret, or altered)");
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short public fingerprint of the derived key, to tell secrets apart in logs without revealing them. */
    public String fingerprint() {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return java.util.HexFormat.of().formatHex(digest, 0, 4);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] aad(final String domain, final String selector) {
        return (selector + "._domainkey." + domain).getBytes(StandardCharsets.UTF_8);
    }
}

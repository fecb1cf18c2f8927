package dev.mailpipe.core.accounts;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * API keys are stored as {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>} and compared in
 * constant time. The iteration count travels with the hash, so it can be raised later.
 */
public final class KeyHasher {

    public static final int ITERATIONS = 210_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** Compared against when the account does not exist, so that the answer takes as long. */
    private static final String DUMMY = hash("not-a-key", ITERATIONS);

    private KeyHasher() {
    }

    /** A new random API key: 32 letters and digits (about 190 bits). */
    public static String newKey() {
        final StringBuilder key = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return key.toString();
    }

    public static String hash(final String key) {
        return hash(key, ITERATIONS);
    }

    static String hash(final String key, final int iterations) {
        final byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        final Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(key, salt, iterations));
    }

    /** True when {@code key} matches {@code stored}; constant time in the key. A null stored hash never matches. */
    public static boolean verify(final String key, final String stored) {
        final String[] parts = (stored == null ? DUMMY : stored).split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        final int iterations;
        final byte[] salt;
        final byte[] expected;
        try {
            iterations = Integer.parseInt(parts[1]);
            salt = Base64.getDecoder().decode(parts[2]);
            expected = Base64.getDecoder().decode(parts[3]);
        } catch (final IllegalArgumentException e) {
            return false;
        }
        final boolean equal = MessageDigest.isEqual(expected, derive(key, salt, iterations));
        return stored != null && equal;
    }

    private static byte[] derive(final String key, final byte[] salt, final int iterations) {
        try {
            final PBEKeySpec spec = new PBEKeySpec(key.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (final NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}

package dev.mailpipe.core.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Key pairs for DKIM and their DNS form ({@code p=}). */
public final class DkimKeys {

    /** RSA modulus size: 2048 bits, as RFC 8301 recommends (1024 is the minimum verifiers accept). */
    public static final int RSA_BITS = 2048;
    /** X.509 SubjectPublicKeyInfo of an Ed25519 key = this 12-byte prefix + the 32-byte raw key. */
    private static final int ED25519_SPKI_PREFIX = 12;

    private DkimKeys() {
    }

    public static KeyPair generate(final DkimAlgorithm algorithm) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.jcaName());
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                generator.initialize(RSA_BITS);
            }
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate " + algorithm.tag() + " keys", e);
        }
    }

    /**
     * The {@code p=} value: base64 of the SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1), of the
     * 32-byte raw public key for Ed25519 (RFC 8463 §4).
     */
    public static String dnsPublicKey(final DkimAlgorithm algorithm, final PublicKey key) {
        final byte[] spki = key.getEncoded();
        final byte[] value = algorithm == DkimAlgorithm.ED25519_SHA256
                ? Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX, spki.length) : spki;
        return Base64.getEncoder().encodeToString(value);
    }

    /** The private key from its PKCS#8 encoding ({@link PrivateKey#getEncoded()}). */
    public static PrivateKey privateKey(final DkimAlgorithm algorithm, final byte[] pkcs8) {
        try {
            return KeyFactory.getInstance(algorithm.jcaName()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (final GeneralSecurityException e) {
            throw new IllegalArgumentException("not a " + algorithm.tag() + " private key: " + e.getMessage(), e);
        }
    }
}

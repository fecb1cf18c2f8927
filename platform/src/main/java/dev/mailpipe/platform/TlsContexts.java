package dev.mailpipe.platform;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS for the SMTP listeners and the web service: TLS 1.2 and 1.3 only (the seeds forbid SSLv3; TLS 1.0/1.1 are
 * broken too), certificate and key from PEM files, or a self-signed pair made at start.
 */
public final class TlsContexts {

    /** The only protocols ever enabled. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final char[] STORE_PASSWORD = "mailpipe".toCharArray();

    private TlsContexts() {
    }

    /** Limits a socket to {@link #PROTOCOLS}. */
    public static void restrict(final SSLSocket socket) {
        final List<String> supported = Arrays.asList(socket.getSupportedProtocols());
        socket.setEnabledProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
    }

    /** A server context from a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1 or SEC1). */
    public static SSLContext fromPem(final Path certificateFile, final Path keyFile) {
        try {
            final List<X509Certificate> chain = new ArrayList<>();
            final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            try (Reader reader = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
                 PEMParser parser = new PEMParser(reader)) {
                for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                    if (o instanceof X509CertificateHolder holder) {
                        chain.add(converter.getCertificate(holder));
                    }
                }
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certificateFile);
            }
            final PrivateKey key;
            try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
                 PEMParser parser = new PEMParser(reader)) {
                final Object o = parser.readObject();
                final JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair pair) {
                    key = keys.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo info) {
                    key = keys.getPrivateKey(info);
                } else {
                    throw new IllegalArgumentException("no unencrypted private key in " + keyFile);
                }
            }
            return context(key, chain.toArray(X509Certificate[]::new));
        } catch (final IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS certificate " + certificateFile + " / key " + keyFile
                    + ": " + e.getMessage(), e);
        }
    }

    /** A context with a fresh self-signed RSA certificate for {@code hostname}, valid for a year. */
    public static SSLContext selfSigned(final String hostname) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            final KeyPair pair = generator.generateKeyPair();
            final X500Name name = new X500Name("CN=" + hostname.replaceAll("[,=+<>#;\"\\\\]", "_"));
            final Instant now = Instant.now();
            final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))), name, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, hostname),
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            final X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            return context(pair.getPrivate(), new X509Certificate[] {certificate});
        } catch (final GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static SSLContext context(final PrivateKey key, final X509Certificate[] chain)
            throws GeneralSecurityException, IOException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("smtp", key, STORE_PASSWORD, chain);
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, STORE_PASSWORD);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, new SecureRandom());
        return context;
    }
}

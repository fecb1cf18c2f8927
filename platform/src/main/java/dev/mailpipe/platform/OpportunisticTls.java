package dev.mailpipe.platform;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client context that accepts any certificate: opportunistic TLS, as MTAs use it on port 25
 * (encrypt when offered, authenticate nobody), and tests against self-signed servers. Never use it
 * where the peer's identity matters.
 */
public final class OpportunisticTls {

    private OpportunisticTls() {
    }

    public static SSLContext context() {
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(final X509Certificate[] chain, final String authType) {
                    // opportunistic: any certificate
                }

                @Override
                public void checkServerTrusted(final X509Certificate[] chain, final String authType) {
                    // opportunistic: any certificate
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("no TLS support in this JVM", e);
        }
    }
}

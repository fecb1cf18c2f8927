package dev.mailpipe.bench.dkim;

import dev.mailpipe.core.dkim.DkimAlgorithm;
import dev.mailpipe.core.dkim.DkimKeys;
import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.deliverer.dkim.DkimKeyring;
import dev.mailpipe.deliverer.dkim.MessageSigner;
import dev.mailpipe.schemas.DkimAlgorithmName;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Not a test: what DKIM signing costs the deliverer. For each message size and key set, the CPU
 * time per email of {@link MessageSigner#wireForm} (wire form + signatures) on one thread, and the
 * same with signing off (wire form only), as emails per second per core. Run with bench/dkim/run.sh.
 */
public final class DkimSigningBench {

    private static final KeySealer SEALER = KeySealer.of("bench keys secret, not a real one");

    private DkimSigningBench() {
    }

    public static void main(final String[] args) {
        final int emails = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        final Map<String, SenderDomain> domains = Map.of(
                "rsa.test", domain("rsa.test", DkimAlgorithm.RSA_SHA256),
                "ed.test", domain("ed.test", DkimAlgorithm.ED25519_SHA256),
                "both.test", domain("both.test", DkimAlgorithm.RSA_SHA256, DkimAlgorithm.ED25519_SHA256));
        final MessageSigner on = new MessageSigner(new DkimKeyring(d -> Optional.ofNullable(domains.get(d)), SEALER),
                Clock.systemUTC(), null);
        final MessageSigner off = MessageSigner.NONE;
        System.out.printf("DKIM signing bench: %d emails per case, one thread, CPU time (ThreadMXBean)%n", emails);
        System.out.printf("%-10s %-16s %14s %16s%n", "size", "keys", "CPU us/email", "emails/s/core");
        for (final int size : new int[] {3 * 1024, 22 * 1024, 200 * 1024}) {
            for (final String[] c : new String[][] {{"off", "rsa.test"}, {"rsa-sha256", "rsa.test"},
                {"ed25519-sha256", "ed.test"}, {"both", "both.test"}}) {
                final MessageSigner signer = c[0].equals("off") ? off : on;
                final byte[] message = message(c[1], size);
                run(signer, message, Math.max(200, emails / 5)); // warm-up
                final double us = run(signer, message, emails);
                System.out.printf("%-10s %-16s %14.1f %16.0f%n", size / 1024 + " KiB", c[0], us, 1e6 / us);
            }
        }
    }

    private static double run(final MessageSigner signer, final byte[] message, final int n) {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        final long t0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sink += signer.wireForm(message).length;
        }
        final long cpu = mx.getCurrentThreadCpuTime() - t0;
        if (sink == 42) {
            System.out.println();
        }
        return cpu / 1000.0 / n;
    }

    private static SenderDomain domain(final String name, final DkimAlgorithm... algorithms) {
        final List<DkimKeyRecord> keys = new ArrayList<>();
        for (final DkimAlgorithm a : algorithms) {
            final KeyPair pair = DkimKeys.generate(a);
            final String selector = "s-" + a.keyType();
            keys.add(new DkimKeyRecord(selector, a == DkimAlgorithm.RSA_SHA256 ? DkimAlgorithmName.rsa_sha256
                    : DkimAlgorithmName.ed25519_sha256, DkimKeys.dnsPublicKey(a, pair.getPublic()),
                    ByteBuffer.wrap(SEALER.seal(name, selector, pair.getPrivate().getEncoded())), Instant.now(), null));
        }
        return new SenderDomain(name, "bench", keys, Instant.now(), Instant.now());
    }

    /** A personalised HTML newsletter of about {@code size} bytes (quoted-printable lines of 76). */
    private static byte[] message(final String domain, final int size) {
        final StringBuilder m = new StringBuilder()
                .append("From: News <news@").append(domain).append(">\r\n")
                .append("To: ben@ifaxin.test\r\nSubject: Your December offers, Ben\r\n")
                .append("Date: Wed, 02 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1.2@").append(domain).append(">\r\n")
                .append("MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n")
                .append("Content-Transfer-Encoding: quoted-printable\r\n")
                .append("List-Unsubscribe: <https://t.").append(domain).append("/u/abcdef0123456789>\r\n")
                .append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n");
        final Random random = new Random(1);
        while (m.length() < size) {
            final StringBuilder line = new StringBuilder();
            while (line.length() < 74) {
                line.append((char) ('a' + random.nextInt(26)));
                if (random.nextInt(6) == 0) {
                    line.append(' ');
                }
            }
            m.append(line).append("=\r\n");
        }
        m.append("</html>\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }
}

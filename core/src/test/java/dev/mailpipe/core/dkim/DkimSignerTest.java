package dev.mailpipe.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signer's output checked by an independent verifier, dkimpy (Debian python3-dkim, listed in
 * .ci/system-tools), with the TXT records handed to it directly (no DNS server needed here; the
 * end-to-end test uses dnsmasq).
 */
class DkimSignerTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static KeyPair rsa;
    private static KeyPair ed;

    @TempDir
    static Path dir;

    @BeforeAll
    static void keys() {
        rsa = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        ed = DkimKeys.generate(DkimAlgorithm.ED25519_SHA256);
    }

    private static DkimSigner.Key rsaKey() {
        return new DkimSigner.Key("shop.example", "mp1", DkimAlgorithm.RSA_SHA256, rsa.getPrivate());
    }

    private static DkimSigner.Key edKey() {
        return new DkimSigner.Key("shop.example", "mp1-ed25519", DkimAlgorithm.ED25519_SHA256, ed.getPrivate());
    }

    private static Map<String, String> records() {
        final Map<String, String> r = new LinkedHashMap<>();
        r.put("mp1._domainkey.shop.example",
                DnsRecords.keyValue(DkimAlgorithm.RSA_SHA256, DkimKeys.dnsPublicKey(DkimAlgorithm.RSA_SHA256, rsa.getPublic())));
        r.put("mp1-ed25519._domainkey.shop.example", DnsRecords.keyValue(DkimAlgorithm.ED25519_SHA256,
                DkimKeys.dnsPublicKey(DkimAlgorithm.ED25519_SHA256, ed.getPublic())));
        return r;
    }

    private static final String PLAIN = String.join("\r\n",
            "From: Shop <news@shop.example>",
            "To: ben@ifaxin.example",
            "Subject:   Hello   there  ",
            "Date: Wed, 02 Dec 2026 10:00:00 +0000",
            "Message-ID: <1@shop.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "List-Unsubscribe: <https://t.example/u/abc>,",
            " <mailto:unsub@shop.example?subject=abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "X-Other: not signed",
            "",
            "Dear Ben,  your balance   is 100 yuan.\t ",
            "Grüße — 你好",
            "",
            "",
            "");

    @Test
    void shouldBeVerifiedByDkimpyWithRsa() throws Exception {
        final byte[] signed = DkimSigner.sign(PLAIN.getBytes(StandardCharsets.UTF_8), List.of(rsaKey()), NOW);

        final List<String> lines = dkimpy(signed);

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("pass d=shop.example s=mp1 a=rsa-sha256 h=from:to:subject:date:message-id:"
                + "mime-version:content-type:content-transfer-encoding:list-unsubscribe:list-unsubscribe-post:from");
    }

    @Test
    void shouldBeVerifiedByDkimpyWithBothAlgorithms() throws Exception {
        final byte[] signed = DkimSigner.sign(PLAIN.getBytes(StandardCharsets.UTF_8), List.of(rsaKey(), edKey()), NOW);

        assertThat(dkimpy(signed)).hasSize(2).allMatch(l -> l.startsWith("pass"))
                .anyMatch(l -> l.contains("a=ed25519-sha256"));
    }

    @Test
    void shouldFailVerificationWhenTheBodyOrAFromIsChangedAfterSigning() throws Exception {
        final byte[] signed = DkimSigner.sign(PLAIN.getBytes(StandardCharsets.UTF_8), List.of(rsaKey()), NOW);
        final String text = new String(signed, StandardCharsets.UTF_8);

        assertThat(dkimpy(text.replace("100 yuan", "900 yuan").getBytes(StandardCharsets.UTF_8)).get(0)).startsWith("fail");
        assertThat(dkimpy(("From: ceo@evil.example\r\n" + text).getBytes(StandardCharsets.UTF_8)).get(0)).startsWith("fail");
    }

    @Test
    void shouldSignRepeatedFieldsAndAMessageWithoutBody() throws Exception {
        final String message = "From: a@shop.example\r\nTo: x@y.example\r\nTo: z@y.example\r\nSubject: s\r\n\r\n";
        final byte[] signed = DkimSigner.sign(message.getBytes(StandardCharsets.US_ASCII), List.of(rsaKey(), edKey()), NOW);

        assertThat(dkimpy(signed)).hasSize(2).allMatch(l -> l.startsWith("pass") && l.contains("h=from:to:to:subject:from"));
    }

    @Test
    void shouldKeepSignatureLinesShortAndTheMessageUnchangedBehindThem() {
        final byte[] message = PLAIN.getBytes(StandardCharsets.UTF_8);
        final byte[] signed = DkimSigner.sign(message, List.of(rsaKey(), edKey()), NOW);
        final String fields = DkimSigner.signatureFields(message, List.of(rsaKey(), edKey()), NOW);

        assertThat(new String(signed, StandardCharsets.UTF_8)).isEqualTo(fields + PLAIN);
        assertThat(fields.split("\r\n")).allMatch(line -> line.length() <= 78);
        assertThat(fields).contains("t=" + NOW.getEpochSecond() + ";").contains("c=relaxed/relaxed;");
    }

    @Test
    void shouldProduceTheWireFormTheDataEncoderSends() {
        assertThat(new String(MessageText.wireForm("a\nb\rc\r\nd".getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII)).isEqualTo("a\r\nb\r\nc\r\nd\r\n");
        final byte[] wire = "x\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(MessageText.wireForm(wire)).isSameAs(wire);
    }

    /** Runs dkimpy on {@code message}; returns its lines (one per signature). */
    static List<String> dkimpy(final byte[] message) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "Debian's python3 (see .ci/system-tools)");
        final Path script = dir.resolve("dkimpy-verify.py");
        if (!Files.exists(script)) {
            try (InputStream in = DkimSignerTest.class.getResourceAsStream("dkimpy-verify.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        final StringBuilder json = new StringBuilder("{");
        records().forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        json.append('}');
        final Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), json.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(message);
        p.getOutputStream().close();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        final List<String> lines = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().toList());
        assertThat(lines).as("dkimpy output").isNotEmpty().noneMatch(l -> l.contains("Traceback"));
        return lines;
    }
}

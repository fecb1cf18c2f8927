package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.core.dkim.KeySealer;
import dev.mailpipe.ingest.accounts.AccountsCli;
import dev.mailpipe.platform.CompactedTable;
import dev.mailpipe.schemas.DkimAlgorithmName;
import dev.mailpipe.schemas.DkimKeyRecord;
import dev.mailpipe.schemas.SenderDomain;
import dev.mailpipe.schemas.Topics;
import dev.mailpipe.testsupport.Dnsmasq;
import dev.mailpipe.testsupport.KafkaClusterExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ./mailpipe domains} against a real broker, and {@code verify} against dnsmasq serving what {@code add} printed. */
class DomainsCliIT {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = new KafkaClusterExtension();

    private static final String SECRET = "a keys secret for the domains test";

    private static Map<String, String> env() {
        final Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        env.put("MAILPIPE_KEYS_SECRET", SECRET);
        return env;
    }

    record Run(int code, String out, String err) {
    }

    static Run domains(final Map<String, String> env, final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = DomainsCli.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void account() {
        assertThat(AccountsCli.run(new String[] {"add", "shop"}, env(), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()))).isZero();
    }

    private static SenderDomain stored(final String domain) {
        try (CompactedTable<SenderDomain> t = CompactedTable.start(KAFKA.bootstrapServers(), "test", Topics.DOMAINS.name(),
                Topics.DOMAINS.valueSerde())) {
            return t.get(domain).orElse(null);
        }
    }

    @Test
    void shouldAddADomainPrintingZoneFileLinesAndStoringOnlySealedKeys() {
        final Run add = domains(env(), "add", "Shop.Example", "--account", "shop", "--selector", "s1", "--algorithm", "both");

        assertThat(add.code()).as(add.err()).isZero();
        assertThat(add.out()).contains("s1-rsa._domainkey.shop.example. IN TXT \"v=DKIM1; k=rsa; p=")
                .contains("s1-ed25519._domainkey.shop.example. IN TXT \"v=DKIM1; k=ed25519; p=")
                .contains("shop.example. IN TXT \"v=spf1").contains("_dmarc.shop.example. IN TXT \"v=DMARC1;")
                .doesNotContain("PRIVATE");
        final String rsaLine = add.out().lines().filter(l -> l.startsWith("s1-rsa.")).findFirst().orElseThrow();
        assertThat(rsaLine).contains("\" \""); // 2048-bit key: split into strings of at most 255
        final SenderDomain stored = stored("shop.example");
        assertThat(stored.getApiUser()).isEqualTo("shop");
        assertThat(stored.getKeys()).extracting(DkimKeyRecord::getAlgorithm)
                .containsExactly(DkimAlgorithmName.rsa_sha256, DkimAlgorithmName.ed25519_sha256);
        final DkimKeyRecord rsa = stored.getKeys().get(0);
        final byte[] sealed = new byte[rsa.getSealedPrivateKey().remaining()];
        rsa.getSealedPrivateKey().duplicate().get(sealed);
        // opens only with the secret; the PKCS#8 DER header of a clear key is not in the record
        assertThat(KeySealer.of(SECRET).open("shop.example", "s1-rsa", sealed)).isNotEmpty();
        assertThat(java.util.HexFormat.of().formatHex(sealed)).doesNotContain("020100300d06092a864886f70d0101010500");

        assertThat(domains(env(), "add", "shop.example", "--account", "shop").code()).isEqualTo(DomainsCli.EXISTS);
        assertThat(domains(env(), "add", "x.example", "--account", "nobody").code()).isEqualTo(DomainsCli.NOT_FOUND);
        assertThat(domains(env(), "add", "localhost", "--account", "shop").code()).isEqualTo(2);
    }

    @Test
    void shouldRefuseToSealWithoutASecretAgainstAnExternalCluster() {
        final Map<String, String> env = env();
        env.remove("MAILPIPE_KEYS_SECRET");
        final Run add = domains(env, "add", "nosecret.example", "--account", "shop");

        assertThat(add.code()).isEqualTo(1);
        assertThat(add.err()).contains("MAILPIPE_KEYS_SECRET");
    }

    @Test
    void shouldVerifyRotateListAndRemove() throws Exception {
        final Run add = domains(env(), "add", "verify.example", "--account", "shop", "--selector", "old");
        assertThat(add.code()).as(add.err()).isZero();

        try (Dnsmasq dns = serving(add.out(), "verify.example")) {
            final Run ok = domains(env(), "verify", "verify.example", "--dns", dns.address());
            assertThat(ok.out()).as(ok.err()).contains("OK        old._domainkey.verify.example matches")
                    .contains("OK        SPF record").contains("OK        DMARC record");
            assertThat(ok.code()).isZero();
        }

        final Run rotate = domains(env(), "rotate", "verify.example", "--selector", "new");
        assertThat(rotate.code()).as(rotate.err()).isZero();
        assertThat(rotate.out()).contains("new._domainkey.verify.example. IN TXT").contains("retired: old._domainkey");
        final SenderDomain rotated = stored("verify.example");
        assertThat(rotated.getKeys()).extracting(DkimKeyRecord::getSelector).containsExactly("old", "new");
        assertThat(rotated.getKeys().get(0).getRetiredAt()).isNotNull();
        assertThat(rotated.getKeys().get(1).getRetiredAt()).isNull();

        // the old record is still published, the new one not yet: verify says which
        try (Dnsmasq dns = serving(add.out(), "verify.example")) {
            final Run stale = domains(env(), "verify", "verify.example", "--dns", dns.address());
            assertThat(stale.out()).contains("OK        old._domainkey.verify.example matches (retired key)")
                    .contains("MISSING   no DKIM record at new._domainkey.verify.example");
            assertThat(stale.code()).isEqualTo(DomainsCli.NOT_PUBLISHED);
        }

        final Run list = domains(env(), "list", "--account", "shop");
        assertThat(list.out()).containsPattern("verify\\.example +shop +old +rsa-sha256 +retired, signs nothing")
                .containsPattern("verify\\.example +shop +new +rsa-sha256 +active since");

        assertThat(domains(env(), "remove", "verify.example").code()).isZero();
        assertThat(stored("verify.example")).isNull();
        assertThat(domains(env(), "remove", "verify.example").code()).isEqualTo(DomainsCli.NOT_FOUND);
    }

    /** dnsmasq serving the TXT records of a zone-file listing (the strings of each line joined). */
    static Dnsmasq serving(final String zoneLines, final String zone) {
        final Dnsmasq.Builder builder = Dnsmasq.builder().localZone(zone);
        for (final String line : zoneLines.lines().filter(l -> l.contains(" IN TXT ")).toList()) {
            final String name = line.substring(0, line.indexOf(". IN TXT "));
            final Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(line);
            final StringBuilder value = new StringBuilder();
            while (m.find()) {
                value.append(m.group(1));
            }
            builder.txt(name, value.toString());
        }
        return builder.start();
    }

    @SuppressWarnings("unused")
    private static List<String> lines(final String text) {
        return text.lines().toList();
    }
}

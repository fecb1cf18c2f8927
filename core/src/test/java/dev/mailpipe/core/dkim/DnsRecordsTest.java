package dev.mailpipe.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsRecordsTest {

    @Test
    void shouldSplitLongValuesIntoQuotedStringsOfAtMost255() {
        final String key = DkimKeys.dnsPublicKey(DkimAlgorithm.RSA_SHA256,
                DkimKeys.generate(DkimAlgorithm.RSA_SHA256).getPublic());
        final String line = DnsRecords.keyRecord("mp1", "shop.example", DkimAlgorithm.RSA_SHA256, key);

        assertThat(line).startsWith("mp1._domainkey.shop.example. IN TXT \"v=DKIM1; k=rsa; p=");
        final String[] strings = line.substring(line.indexOf('"')).split("\" \"");
        assertThat(strings).hasSize(2);
        assertThat(strings[0].length() - 1).isEqualTo(255);
        assertThat(String.join("", strings).replace("\"", "")).isEqualTo("v=DKIM1; k=rsa; p=" + key);
    }

    @Test
    void shouldPublishTheRawEd25519KeyAsRfc8463Says() {
        final String key = DkimKeys.dnsPublicKey(DkimAlgorithm.ED25519_SHA256,
                DkimKeys.generate(DkimAlgorithm.ED25519_SHA256).getPublic());
        assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(32);
        assertThat(DnsRecords.keyRecord("s", "d.example", DkimAlgorithm.ED25519_SHA256, key))
                .isEqualTo("s._domainkey.d.example. IN TXT \"v=DKIM1; k=ed25519; p=" + key + "\"");
    }

    @Test
    void shouldParseTagsOfAFoldedRecord() {
        assertThat(DnsRecords.tags("v=DKIM1; k=rsa;\n p=AB CD\t EF ")).containsEntry("k", "rsa").containsEntry("p", "ABCDEF");
    }

    @Test
    void shouldSuggestSpfAndDmarc() {
        assertThat(DnsRecords.spfRecord("shop.example")).isEqualTo("shop.example. IN TXT \"v=spf1 a mx ~all\"");
        assertThat(DnsRecords.dmarcRecord("shop.example")).startsWith("_dmarc.shop.example. IN TXT \"v=DMARC1; p=none;");
    }
}

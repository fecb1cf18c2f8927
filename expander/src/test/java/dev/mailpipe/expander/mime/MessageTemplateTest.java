package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.stream.Field;
import org.junit.jupiter.api.Test;

class MessageTemplateTest {

    private static final Variables NAME_MONEY = Variables.of(List.of("%name%", "%money%"));
    private static final String HEADERS = "Received: from client.example by mailpipe; Mon, 23 Nov 2026 16:00:00 +0000\r\n"
            + "From: Support <support@ifaxin.com>\r\n"
            + "To: list@ifaxin.com\r\n"
            + "Bcc: secret@hidden.test\r\n"
            + "Subject: Bill for %name%\r\n"
            + "Message-ID: <client-chosen@client.example>\r\n"
            + "X-Campaign: spring %name%\r\n"
            + "SC-Custom-order: 42\r\n"
            + "X-SMTPAPI: e30=\r\n";

    private static byte[] render(final String message, final Variables variables, final boolean rewriteTo,
            final String... values) {
        return render(message.getBytes(StandardCharsets.UTF_8), variables, rewriteTo, values);
    }

    private static byte[] render(final byte[] message, final Variables variables, final boolean rewriteTo,
            final String... values) {
        return MessageTemplate.parse(message, variables, rewriteTo)
                .render(new Personal("ben@ifaxin.com", "<m.0@ifaxin.com>", values));
    }

    private static String ascii(final byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static boolean contains(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void shouldSubstituteEveryTextPartOfNestedMultipartsAndKeepImageAndAttachmentsByteForByte() {
        final byte[] image = Fixtures.binary(3000, 1);
        final byte[] pdf = Fixtures.binary(5000, 2);
        final byte[] original = Fixtures.rich(HEADERS, "Dear %name%, you owe %money%.\n",
                "<p>Dear <b>%name%</b>, you owe %money%. <img src=\"cid:logo@ifaxin.com\"></p>\n", image, pdf);

        final byte[] out = render(original, NAME_MONEY, false, "Ben", "288");

        final Message message = Mime.parse(out);
        final List<Entity> leaves = Mime.leaves(message);
        assertThat(leaves).extracting(Entity::getMimeType)
                .containsExactly("text/plain", "text/html", "image/png", "application/pdf", "text/plain");
        // in a multipart, the line break before a delimiter belongs to the delimiter (RFC 2046)
        assertThat(Mime.text(leaves.get(0))).isEqualTo("Dear Ben, you owe 288.");
        assertThat(Mime.text(leaves.get(1)))
                .isEqualTo("<p>Dear <b>Ben</b>, you owe 288. <img src=\"cid:logo@ifaxin.com\"></p>");
        assertThat(Mime.decoded(leaves.get(2))).isEqualTo(image);
        assertThat(Mime.decoded(leaves.get(3))).isEqualTo(pdf);
        assertThat(Mime.text(leaves.get(4))).isEqualTo("Keep %name% as it is.");
        // byte for byte: the parts mailpipe does not personalise appear in the output exactly as written
        assertThat(contains(out, Fixtures.imagePart(image).getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(contains(out, Fixtures.attachmentPart(pdf).getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(contains(out, Fixtures.textAttachmentPart().getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(ascii(out)).contains("This is a multi-part message in MIME format.\r\n--==mixed==\r\n")
                .endsWith("--==mixed==--\r\nepilogue\r\n");
    }

    @Test
    void shouldMatchAVariableSplitByAQuotedPrintableSoftLineBreak() {
        final String message = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "Hello %na=\r\nme%, caf=C3=A9\r\n";

        final Message out = Mime.parse(render(message, NAME_MONEY, false, "Ben", "0"));

        assertThat(Mime.text(out)).isEqualTo("Hello Ben, café\r\n");
    }

    @Test
    void shouldDecodeAndReencodeTheDeclaredCharset() {
        final Charset gbk = Charset.forName("GBK");
        final String body = "亲爱的%name%: 您好!\r\n";
        final byte[] message = concat("Subject: x\r\nContent-Type: text/plain; charset=GBK\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n", Fixtures.base64Lines(body.getBytes(gbk)));

        final byte[] out = render(message, NAME_MONEY, false, "金牌", "0");

        final Message parsed = Mime.parse(out);
        assertThat(((ContentTypeField) parsed.getHeader().getField("Content-Type")).getCharset()).isEqualTo("GBK");
        assertThat(Mime.text(parsed)).isEqualTo("亲爱的金牌: 您好!\r\n");
    }

    @Test
    void shouldSwitchToUtf8WhenThePartsCharsetCannotHoldAValue() {
        final String message = "Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1; format=flowed\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n";
        final byte[] bytes = concat(message, "Dear %name%, caf\u00e9\r\n", StandardCharsets.ISO_8859_1);

        final byte[] out = render(bytes, NAME_MONEY, false, "金牌", "0");

        final Message parsed = Mime.parse(out);
        final ContentTypeField type = (ContentTypeField) parsed.getHeader().getField("Content-Type");
        assertThat(type.getCharset()).isEqualTo("UTF-8");
        assertThat(type.getParameter("format")).isEqualTo("flowed");
        assertThat(Mime.text(parsed)).isEqualTo("Dear 金牌, café\r\n");
    }

    @Test
    void shouldDeclareCharsetAndEncodingWhenAPlainAsciiMessageGetsNonAsciiValues() {
        final String message = "Subject: x\r\nFrom: a@b.test\r\n\r\nDear %name%\r\n";

        final byte[] out = render(message, NAME_MONEY, false, "银牌 user", "0");

        final Message parsed = Mime.parse(out);
        assertThat(parsed.getHeader().getField("MIME-Version").getBody()).isEqualTo("1.0");
        assertThat(((ContentTypeField) parsed.getHeader().getField("Content-Type")).getCharset()).isEqualTo("UTF-8");
        assertThat(parsed.getContentTransferEncoding()).isIn("quoted-printable", "base64");
        assertThat(Mime.text(parsed)).isEqualTo("Dear 银牌 user\r\n");
        assertThat(isAscii(out)).isTrue();
    }

    @Test
    void shouldNeverLetAValueCreateAHeaderField() {
        final String message = "Subject: Hi %name%\r\nX-Note: %name%\r\nFrom: a@b.test\r\n\r\nbody %name%\r\n";

        final byte[] out = render(message, NAME_MONEY, false, "Ben\r\nBcc: victim@evil.test\r\n\r\nfake body", "0");

        final Message parsed = Mime.parse(out);
        assertThat(parsed.getHeader().getFields("Bcc")).isEmpty();
        assertThat(parsed.getHeader().getFields()).extracting(Field::getName)
                .containsExactly("Subject", "X-Note", "From", "Message-ID");
        assertThat(parsed.getSubject()).isEqualTo("Hi Ben  Bcc: victim@evil.test    fake body");
        assertThat(Mime.text(parsed)).isEqualTo("body Ben\r\nBcc: victim@evil.test\r\n\r\nfake body\r\n");
    }

    @Test
    void shouldNeverLetAValueEndAMimePartEarly() {
        final String message = "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nHi %name%\r\n"
                + "--b1\r\nContent-Type: text/html\r\n\r\n<p>Hi %name%</p>\r\n"
                + "--b1--\r\n";
        final String evil = "x\r\n--b1\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>";

        final Message parsed = Mime.parse(render(message, NAME_MONEY, false, evil, "0"));

        final List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).getContentTransferEncoding()).isEqualTo("base64");
        assertThat(Mime.text(parts.get(0))).isEqualTo("Hi " + evil);
        assertThat(Mime.text(parts.get(1))).isEqualTo("<p>Hi " + evil + "</p>");
    }

    @Test
    void shouldSubstituteSubjectAndUnstructuredHeadersButNotAddresses() {
        final String message = "From: \"%name%\" <a@b.test>\r\nSubject: =?UTF-8?B?" + Base64.getEncoder()
                .encodeToString("账单 %name%".getBytes(StandardCharsets.UTF_8)) + "?=\r\nX-Campaign: c-%money%\r\n"
                + "Comments: for %name%\r\n\r\nbody\r\n";

        final Message parsed = Mime.parse(render(message, NAME_MONEY, false, "金牌", "288"));

        assertThat(parsed.getSubject()).isEqualTo("账单 金牌");
        assertThat(parsed.getHeader().getField("X-Campaign").getBody()).isEqualTo("c-288");
        assertThat(UnstructuredText.decode(parsed.getHeader().getField("Comments").getBody())).isEqualTo("for 金牌");
        assertThat(parsed.getHeader().getField("From").getBody()).isEqualTo("\"%name%\" <a@b.test>");
    }

    @Test
    void shouldFoldALongSubstitutedSubject() {
        final String message = "Subject: %name%\r\n\r\nbody\r\n";
        final String longValue = "word ".repeat(60).strip();

        final byte[] out = render(message, NAME_MONEY, false, longValue, "0");

        assertThat(ascii(out).lines().takeWhile(line -> !line.isEmpty())).allSatisfy(line ->
                assertThat(line.length()).isLessThanOrEqualTo(78));
        assertThat(Mime.parse(out).getSubject()).isEqualTo(longValue);
    }

    @Test
    void shouldKeepHeaderLinesUnderTheLimitForALongValueWithoutSpaces() {
        final String longToken = "x".repeat(2000);

        final byte[] out = render("Subject: %name%\r\n\r\nbody\r\n", NAME_MONEY, false, longToken, "0");

        assertThat(ascii(out).lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
        assertThat(Mime.parse(out).getSubject()).isEqualTo(longToken);
    }

    @Test
    void shouldKeepEncodedBodyLinesWithinTheirLimits() {
        final String value = "长".repeat(400) + "x".repeat(1200);
        final String qp = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                + "\r\nHi %name%\r\n";
        final byte[] qpOut = render(qp, NAME_MONEY, false, value, "0");
        assertThat(ascii(qpOut).lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(76));
        assertThat(Mime.text(Mime.parse(qpOut))).isEqualTo("Hi " + value + "\r\n");

        final String eightBit = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "\r\nHi %name%\r\n";
        final byte[] eightBitOut = render(eightBit, NAME_MONEY, false, value, "0");
        final Message parsed = Mime.parse(eightBitOut);
        assertThat(parsed.getContentTransferEncoding()).isIn("quoted-printable", "base64");
        assertThat(ascii(eightBitOut).lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(Mime.text(parsed)).isEqualTo("Hi " + value + "\r\n");
    }

    @Test
    void shouldInsertValuesIntoHtmlAsGivenWithoutEscaping() {
        final String message = "Content-Type: text/html; charset=utf-8\r\n\r\n<p>%name%</p>\r\n";

        final Message parsed = Mime.parse(render(message, NAME_MONEY, false, "<b>Ben & Joe</b>", "0"));

        assertThat(Mime.text(parsed)).isEqualTo("<p><b>Ben & Joe</b></p>\r\n");
    }

    @Test
    void shouldApplyTopLevelRulesAndLeaveTheRestByteForByteWithoutVariables() {
        final String body = "Content-Type: text/plain\r\n\r\nHi %name%\r\n";
        final byte[] out = render(HEADERS + body, Variables.none(), false);

        assertThat(ascii(out)).isEqualTo(
                "Received: from client.example by mailpipe; Mon, 23 Nov 2026 16:00:00 +0000\r\n"
                        + "From: Support <support@ifaxin.com>\r\n"
                        + "To: list@ifaxin.com\r\n"
                        + "Subject: Bill for %name%\r\n"
                        + "Message-ID: <m.0@ifaxin.com>\r\n"
                        + "X-Campaign: spring %name%\r\n"
                        + body);
    }

    @Test
    void shouldRewriteToForTheRecipientAndDropBccAndAddAMessageIdWhenMissing() {
        final String message = "From: a@b.test\r\nTo: everyone@list.test\r\nCc: boss@b.test\r\nBcc: hidden@x.test\r\n"
                + "bcc: second@x.test\r\n\r\nbody\r\n";

        final String out = ascii(render(message, Variables.none(), true));

        assertThat(out).isEqualTo("From: a@b.test\r\nTo: ben@ifaxin.com\r\nCc: boss@b.test\r\n"
                + "Message-ID: <m.0@ifaxin.com>\r\n\r\nbody\r\n");
    }

    @Test
    void shouldLeaveAnUnknownCharsetOrTransferEncodingAlone() {
        final String message = "Content-Type: text/plain; charset=x-unknown-42\r\n\r\nHi %name%\r\n";
        assertThat(ascii(render(message, NAME_MONEY, false, "Ben", "0"))).endsWith("\r\n\r\nHi %name%\r\n");
        final String uu = "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nHi %name%\r\n";
        assertThat(ascii(render(uu, NAME_MONEY, false, "Ben", "0"))).endsWith("\r\n\r\nHi %name%\r\n");
    }

    @Test
    void shouldEndTheLastPartAtTheEndWhenTheCloseDelimiterIsMissing() {
        final String message = "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\r\nHi %name%\r\n";
        assertThat(ascii(render(message, NAME_MONEY, false, "Ben", "0"))).endsWith("--zz\r\n\r\nHi Ben\r\n");
    }

    @Test
    void shouldNotMistakeALongerBoundaryForTheDelimiter() {
        final String message = "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n\r\nA %name%\r\n--zzz\r\n"
                + "still part one %name%\r\n--zz--\r\n";

        final Message parsed = Mime.parse(render(message, NAME_MONEY, false, "Ben", "0"));

        final List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
        assertThat(parts).hasSize(1);
        assertThat(Mime.text(parts.get(0))).isEqualTo("A Ben\r\n--zzz\r\nstill part one Ben");
    }

    private static byte[] concat(final String head, final String tail) {
        return concat(head, tail, StandardCharsets.US_ASCII);
    }

    private static byte[] concat(final String head, final String tail, final Charset tailCharset) {
        final byte[] a = head.getBytes(StandardCharsets.US_ASCII);
        final byte[] b = tail.getBytes(tailCharset);
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean isAscii(final byte[] bytes) {
        for (final byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}

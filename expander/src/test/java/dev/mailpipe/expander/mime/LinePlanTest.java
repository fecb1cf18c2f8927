package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line-by-line fast path must give exactly the bytes of the general path. */
class LinePlanTest {

    private static final Variables VARIABLES = Variables.of(List.of("%name%", "%n%", "%money%"));
    private static final String[] LINE_PIECES = {"Dear ", "%name%", "%n%", "%money%", " yuan", "长", "é", "=", "  ",
            "\t", "--b1", "x".repeat(90), "%na", "me%", "."};
    private static final String[] VALUES = {"Ben", "", "金牌", "café", "a\r\nb", "x\n--b1\n", "288", " ",
            "y".repeat(1200), "%name%", "\r"};
    private static final String[] CHARSETS = {"utf-8", "us-ascii", "iso-8859-1", "gbk"};
    private static final String[] ENCODINGS = {"quoted-printable", "7bit", "8bit", "base64"};

    @Test
    void shouldRenderExactlyWhatTheGeneralPathRenders() {
        final Random random = new Random(11);
        int planned = 0;
        for (int run = 0; run < 1500; run++) {
            final String charset = CHARSETS[random.nextInt(CHARSETS.length)];
            final String encoding = ENCODINGS[random.nextInt(ENCODINGS.length)];
            final StringBuilder text = new StringBuilder();
            final int lines = 1 + random.nextInt(12);
            for (int l = 0; l < lines; l++) {
                for (int p = random.nextInt(5); p > 0; p--) {
                    text.append(LINE_PIECES[random.nextInt(LINE_PIECES.length)]);
                }
                if (l < lines - 1 || random.nextBoolean()) {
                    text.append("\r\n");
                }
            }
            final byte[] message = message(text.toString(), charset, encoding);
            final String[] values = {VALUES[random.nextInt(VALUES.length)], VALUES[random.nextInt(VALUES.length)],
                    VALUES[random.nextInt(VALUES.length)]};
            final Personal personal = new Personal("ben@ifaxin.com", "<m@x>", values);

            final byte[] fast = MessageTemplate.parse(message, VARIABLES, false, null, true).render(personal);
            final byte[] general = MessageTemplate.parse(message, VARIABLES, false, null, false).render(personal);

            assertThat(new String(fast, StandardCharsets.ISO_8859_1)).as("run %d: %s %s %s", run, charset, encoding, text)
                    .isEqualTo(new String(general, StandardCharsets.ISO_8859_1));
            if (planFor(text.toString(), charset, encoding) != null) {
                planned++;
            }
        }
        assertThat(planned).as("renderings that could take the fast path").isGreaterThan(300);
    }

    @Test
    void shouldEncodeStaticLinesOnceAndOnlyRenderLinesWithVariables() {
        final String text = "<p>static line one</p>\r\n<p>Dear %name%,</p>\r\n<p>static line two é</p>\r\n";
        final LinePlan plan = planFor(text, "utf-8", "quoted-printable");

        assertThat(plan).isNotNull();
        assertThat(new String(plan.render(new String[] {"Ben", "", ""}), StandardCharsets.US_ASCII))
                .isEqualTo("<p>static line one</p>\r\n<p>Dear Ben,</p>\r\n<p>static line two =C3=A9</p>\r\n");
        assertThat(plan.render(new String[] {"x\r\n--b1", "", ""})).as("boundary-like value: general path").isNull();
    }

    private static LinePlan planFor(final String text, final String charset, final String encoding) {
        return LinePlan.of(text, VARIABLES, Charset.forName(charset), TransferEncoding.of(encoding), List.of("b1"));
    }

    private static byte[] message(final String text, final String charset, final String encoding) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\n"
                + "Content-Type: text/plain; charset=" + charset + "\r\n"
                + "Content-Transfer-Encoding: " + encoding + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        final Charset cs = Charset.forName(charset);
        final byte[] raw = cs.newEncoder().canEncode(text) ? text.getBytes(cs) : text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(TransferEncoding.of(encoding).encode(raw));
        out.writeBytes("\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}

package dev.mailpipe.expander.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mangled real-world MIME (truncated, cut, spliced, stray boundaries and line breaks) must never
 * make the template throw: a bug here would dead-letter a deliverable submission.
 */
class MessageTemplateFuzzTest {

    private static final Variables VARIABLES = Variables.of(List.of("%name%", "%money%"));
    private static final byte[][] INSERTS = {
            "\r\n".getBytes(StandardCharsets.US_ASCII), "\n".getBytes(StandardCharsets.US_ASCII),
            "--==alt==\r\n".getBytes(StandardCharsets.US_ASCII), "--==mixed==--".getBytes(StandardCharsets.US_ASCII),
            "%name%".getBytes(StandardCharsets.US_ASCII), "=\r\n".getBytes(StandardCharsets.US_ASCII),
            "Content-Type: multipart/mixed; boundary=\"\"\r\n".getBytes(StandardCharsets.US_ASCII),
            "Content-Transfer-Encoding: base64\r\n".getBytes(StandardCharsets.US_ASCII),
            "Content-Type: text/plain; charset=gbk\r\n".getBytes(StandardCharsets.US_ASCII),
            "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "长".getBytes(StandardCharsets.UTF_8), {(byte) 0xff, 0}};

    @Test
    void shouldNeverThrowOnMangledMime() {
        final byte[] original = Fixtures.rich("Subject: Hi %name%\r\nX-Tag: %money%\r\n",
                "Dear %name%, you owe %money%.\n", "<p>Dear %name%</p>\n", Fixtures.binary(600, 3),
                Fixtures.binary(900, 4));
        final Random random = new Random(7);
        for (int run = 0; run < 3000; run++) {
            final byte[] mangled = mangle(original, random);
            assertThatCode(() -> {
                final byte[] out = MessageTemplate.parse(mangled, VARIABLES, random.nextBoolean(), "Mon, 1 Jan 2024")
                        .render(new Personal("ben@ifaxin.com", "<m@x>", new String[] {"Ben\r\n--==alt==", "288"}));
                assertThat(out).isNotEmpty();
            }).as("run %d", run).doesNotThrowAnyException();
        }
    }

    private static byte[] mangle(final byte[] original, final Random random) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        final int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits && pos < original.length; e++) {
            final int next = pos + random.nextInt(Math.max(1, (original.length - pos) / 2));
            out.write(original, pos, next - pos);
            switch (random.nextInt(3)) {
                case 0 -> pos = Math.min(original.length, next + random.nextInt(200)); // cut
                case 1 -> {
                    out.writeBytes(INSERTS[random.nextInt(INSERTS.length)]); // splice
                    pos = next;
                }
                default -> pos = next;
            }
        }
        if (random.nextInt(4) > 0) {
            out.write(original, pos, original.length - pos);
        } // else: truncated
        return out.toByteArray();
    }
}

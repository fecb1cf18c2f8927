package dev.mailpipe.expander.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Realistic messages, as mail clients build them, with CRLF line ends. */
public final class Fixtures {

    private Fixtures() {
    }

    /** Pseudo-random bytes standing in for a PNG or a PDF (a fixed seed: the same bytes every run). */
    public static byte[] binary(final int size, final long seed) {
        final byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = (byte) 0x89;
        bytes[1] = 'P';
        bytes[2] = 'N';
        bytes[3] = 'G';
        return bytes;
    }

    public static String base64Lines(final byte[] bytes) {
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bytes) + "\r\n";
    }

    /** The part of {@link #rich} holding the inline image, headers and body, exactly as written. */
    public static String imagePart(final byte[] image) {
        return "Content-Type: image/png; name=\"logo.png\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-ID: <logo@ifaxin.com>\r\n"
                + "Content-Disposition: inline; filename=\"logo.png\"\r\n"
                + "\r\n"
                + base64Lines(image);
    }

    /** The attachment part of {@link #rich}, exactly as written (mentions %name% on purpose). */
    public static String attachmentPart(final byte[] pdf) {
        return "Content-Type: application/pdf; name=\"%name%.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"%name%.pdf\"\r\n"
                + "\r\n"
                + base64Lines(pdf);
    }

    /** A text file attached: text/plain, but an attachment, so never substituted. */
    public static String textAttachmentPart() {
        return "Content-Type: text/plain; charset=us-ascii; name=\"notes.txt\"\r\n"
                + "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
                + "\r\n"
                + "Keep %name% as it is.\r\n";
    }

    /**
     * multipart/mixed [ multipart/related [ multipart/alternative [ text/plain (quoted-printable),
     * text/html (quoted-printable) ], image/png (inline, cid) ], application/pdf attachment, text
     * attachment ], with {@code filler} repeated in both text parts to reach a size.
     */
    public static byte[] rich(final String headers, final String plain, final String html, final byte[] image,
            final byte[] pdf) {
        final String message = headers
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"==mixed==\"\r\n"
                + "\r\n"
                + "This is a multi-part message in MIME format.\r\n"
                + "--==mixed==\r\n"
                + "Content-Type: multipart/related; boundary=\"==related==\"; type=\"multipart/alternative\"\r\n"
                + "\r\n"
                + "--==related==\r\n"
                + "Content-Type: multipart/alternative; boundary=\"==alt==\"\r\n"
                + "\r\n"
                + "--==alt==\r\n"
                + "Content-Type: text/plain; charset=\"utf-8\"\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n"
                + qp(plain)
                + "--==alt==\r\n"
                + "Content-Type: text/html; charset=\"utf-8\"\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n"
                + qp(html)
                + "--==alt==--\r\n"
                + "\r\n"
                + "--==related==\r\n"
                + imagePart(image)
                + "--==related==--\r\n"
                + "--==mixed==\r\n"
                + attachmentPart(pdf)
                + "--==mixed==\r\n"
                + textAttachmentPart()
                + "--==mixed==--\r\n"
                + "epilogue\r\n";
        return message.getBytes(StandardCharsets.UTF_8);
    }

    /** Quoted-printable as mime4j writes it (soft breaks at 76). */
    public static String qp(final String text) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TransferEncoding.QUOTED_PRINTABLE.encode(text.replace("\r\n", "\n").replace("\n", "\r\n")
                .getBytes(StandardCharsets.UTF_8)));
        final String encoded = out.toString(StandardCharsets.US_ASCII);
        return encoded.endsWith("\r\n") ? encoded : encoded + "\r\n";
    }
}

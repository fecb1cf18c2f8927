package dev.mailpipe.expander;

import dev.mailpipe.schemas.RawMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Test submissions as ingest-smtp writes them. */
public final class Submissions {

    public static final String MESSAGE_ID = "1425758592214_4576_32113_9310.sc-10_10_127_105-inbound";

    private Submissions() {
    }

    public static RawMessage raw(final String messageId, final List<String> recipients, final String content) {
        return raw(messageId, recipients, content.getBytes(StandardCharsets.UTF_8));
    }

    public static RawMessage raw(final String messageId, final List<String> recipients, final byte[] content) {
        return RawMessage.newBuilder()
                .setMessageId(messageId)
                .setApiUser("api_user")
                .setLabel("7")
                .setMailFrom("support@ifaxin.com")
                .setRecipients(recipients)
                .setReceivedAt(java.time.Instant.ofEpochMilli(1425758592214L))
                .setContent(ByteBuffer.wrap(content))
                .build();
    }

    /** A simple message with CRLF line ends and the given extra header lines (each without CRLF). */
    public static String message(final String body, final String... extraHeaders) {
        final StringBuilder out = new StringBuilder()
                .append("Received: from client.example by mailpipe; Mon, 23 Nov 2026 16:00:00 +0000\r\n")
                .append("From: support@ifaxin.com\r\n")
                .append("To: ben@ifaxin.com\r\n")
                .append("Subject: hello\r\n")
                .append("Message-ID: <original@client.example>\r\n");
        for (final String header : extraHeaders) {
            out.append(header).append("\r\n");
        }
        return out.append("\r\n").append(body.replace("\r\n", "\n").replace("\n", "\r\n")).toString();
    }

    public static String xsmtpapi(final String json) {
        return "X-SMTPAPI: " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

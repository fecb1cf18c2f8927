package dev.mailpipe.deliverer;

import dev.mailpipe.schemas.OutboundEmail;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Test emails in the shape the expander produces. */
final class Emails {

    private Emails() {
    }

    static OutboundEmail email(final String messageId, final int index, final String recipient) {
        final String domain = recipient.substring(recipient.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        final String content = "Received: from test by mailpipe\r\nFrom: sender@mailpipe.test\r\nTo: " + recipient
                + "\r\nSubject: test " + index + "\r\n\r\nHello " + recipient + "\r\n.leading dot line\r\nbye\r\n";
        return OutboundEmail.newBuilder()
                .setEmailId(messageId + index + "$" + recipient)
                .setMessageId(messageId)
                .setIndex(index)
                .setApiUser("api_user")
                .setLabel("label7")
                .setMailFrom("sender@mailpipe.test")
                .setRecipient(recipient)
                .setRecipientDomain(domain)
                .setSubmittedAt(java.time.Instant.now())
                .setCustomHeaders(Map.of("SC-Custom-Campaign", "spring"))
                .setContent(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)))
                .build();
    }
}

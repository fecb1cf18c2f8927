package dev.mailpipe.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.RawField;

/**
 * {@code POST /apiv2/mail/send} form fields → the envelope and the MIME message that SMTP ingest
 * would have received (pure; no I/O). SendCloud's rules: with an X-SMTPAPI {@code to} the
 * recipients are sent separately and {@code to}/{@code cc}/{@code bcc} are ignored; otherwise to
 * and cc are shown to each other and bcc is hidden; at most 100 recipients; html wins over plain.
 * The message then goes through the same {@link XSmtpApiHeader#read} as an SMTP submission.
 */
public final class SendRequest {

    public static final int MAX_RECIPIENTS = XSmtpApiHeader.MAX_RECIPIENTS;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields the API sets itself; a {@code headers} entry may not replace them. */
    private static final Set<String> RESERVED = Set.of("from", "to", "cc", "bcc", "reply-to", "subject", "date",
            "mime-version", "content-type", "content-transfer-encoding", "message-id", "x-smtpapi", "received",
            "sender", "return-path");

    /** What to queue: SMTP's MAIL FROM, RCPT TO and DATA. */
    public record Mapped(String mailFrom, List<String> recipients, byte[] content, String label) {
        public Mapped {
            recipients = List.copyOf(recipients);
        }
    }

    /** A file of the {@code attachments} field. */
    public record Attachment(String filename, String contentType, byte[] content) {
    }

    private SendRequest() {
    }

    /** Maps the form (apiUser/apiKey already checked by the caller). */
    public static Mapped map(final Map<String, String> form, final Instant now) throws ApiException {
        return map(form, List.of(), now);
    }

    /** Maps the form and its files: a multipart/mixed message, the text first, then the files. */
    public static Mapped map(final Map<String, String> form, final List<Attachment> attachments, final Instant now)
            throws ApiException {
        final Mailbox from = mailbox(required(form, "from"), "from");
        final String fromName = blankToNull(form.get("fromName"));
        final Mailbox shownFrom = fromName == null ? from
                : new Mailbox(fromName, from.getLocalPart(), from.getDomain());
        final String subject = required(form, "subject");
        final String html = blankToNull(form.get("html"));
        final String plain = blankToNull(form.get("plain"));
        if (html == null && plain == null) {
            throw bad("html and plain cannot both be empty");
        }
        final String xsmtpapi = blankToNull(form.get("xsmtpapi"));
        XSmtpApi api = XSmtpApi.ABSENT;
        String encodedApi = null;
        if (xsmtpapi != null) {
            encodedApi = Base64.getEncoder().encodeToString(xsmtpapi.getBytes(StandardCharsets.UTF_8));
            try {
                api = XSmtpApiHeader.parseValue(encodedApi, 1, false);
            } catch (final XSmtpApiException e) {
                throw bad("xsmtpapi: " + e.getMessage());
            }
        }
        final List<Mailbox> to;
        final List<Mailbox> cc;
        final List<String> recipients = new ArrayList<>();
        if (api.to().isPresent()) {
            to = List.of();
            cc = List.of();
            recipients.addAll(api.to().get());
        } else {
            to = addresses(form.get("to"), "to");
            cc = addresses(form.get("cc"), "cc");
            final List<Mailbox> bcc = addresses(form.get("bcc"), "bcc");
            if (to.isEmpty()) {
                throw bad("to is required");
            }
            final Set<String> all = new LinkedHashSet<>();
            for (final List<Mailbox> list : List.of(to, cc, bcc)) {
                list.forEach(m -> all.add(m.getAddress()));
            }
            recipients.addAll(all);
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            throw bad("at most " + MAX_RECIPIENTS + " recipients, got " + recipients.size());
        }
        final Message.Builder message = Message.Builder.of()
                .setFrom(shownFrom)
                .setSubject(subject)
                .setDate(Date.from(now));
        if (!to.isEmpty()) {
            message.setTo(to);
        }
        if (!cc.isEmpty()) {
            message.setCc(cc);
        }
        final String replyTo = blankToNull(form.get("replyTo"));
        if (replyTo != null) {
            message.setReplyTo(addresses(replyTo, "replyTo"));
        }
        headers(form.get("headers"), message);
        try {
            if (attachments.isEmpty()) {
                if (html != null) {
                    message.setBody(html, "html", StandardCharsets.UTF_8);
                } else {
                    message.setBody(plain, "plain", StandardCharsets.UTF_8);
                }
                message.setContentTransferEncoding("base64");
            } else {
                final MultipartBuilder mixed = MultipartBuilder.create("mixed").addBodyPart(BodyPartBuilder.create()
                        .setBody(html != null ? html : plain, html != null ? "html" : "plain", StandardCharsets.UTF_8)
                        .setContentTransferEncoding("base64"));
                for (final Attachment a : attachments) {
                    final String type = a.contentType() == null || a.contentType().isBlank()
                            || a.contentType().indexOf('/') < 0 ? "application/octet-stream" : a.contentType();
                    mixed.addBodyPart(BodyPartBuilder.create()
                            .setBody(a.content(), type)
                            .setContentDisposition("attachment", filename(a.filename()))
                            .setContentTransferEncoding("base64"));
                }
                message.setBody(mixed.build());
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] content = write(message.build());
        if (encodedApi != null) {
            // written by hand: mime4j would refold the base64 its own way; the field may stand anywhere
            final byte[] field = (XSmtpApiHeader.NAME + ": " + XSmtpApiHeader.fold(encodedApi) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            final byte[] joined = new byte[field.length + content.length];
            System.arraycopy(field, 0, joined, 0, field.length);
            System.arraycopy(content, 0, joined, field.length, content.length);
            content = joined;
        }
        // the one reading of X-SMTPAPI, exactly as ingest checks an SMTP submission
        try {
            XSmtpApiHeader.read(content, recipients.size(), false);
        } catch (final XSmtpApiException e) {
            throw bad("xsmtpapi: " + e.getMessage());
        }
        return new Mapped(from.getAddress(), recipients, content, blankToNull(form.get("labelId")));
    }

    /** The file name without any path a client sent along, encoded when it is not ASCII. */
    private static String filename(final String name) {
        String base = name.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replace("\r", "").replace("\n", "").replace("\"", "");
        if (base.isBlank()) {
            base = "attachment";
        }
        return EncoderUtil.encodeIfNecessary(base, EncoderUtil.Usage.TEXT_TOKEN, 0);
    }

    private static void headers(final String json, final Message.Builder message) throws ApiException {
        if (blankToNull(json) == null) {
            return;
        }
        final JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (final JsonProcessingException e) {
            throw bad("headers must be a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw bad("headers must be a JSON object");
        }
        for (final Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String name = e.getKey();
            if (!isFieldName(name)) {
                throw bad("headers: not a header field name: " + printable(name));
            }
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw bad("headers: " + name + " is set by the API itself");
            }
            if (!e.getValue().isValueNode()) {
                throw bad("headers: the value of " + name + " must be a string");
            }
            final String value = e.getValue().asText();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw bad("headers: the value of " + name + " holds a line break");
            }
            message.addField(new RawField(name,
                    EncoderUtil.encodeIfNecessary(value, EncoderUtil.Usage.TEXT_TOKEN, name.length() + 2)));
        }
    }

    private static boolean isFieldName(final String name) {
        if (name.isEmpty() || name.length() > 76) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            final char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                return false;
            }
        }
        return true;
    }

    private static List<Mailbox> addresses(final String value, final String field) throws ApiException {
        final List<Mailbox> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        for (final String part : value.split(";")) {
            if (!part.isBlank()) {
                out.add(mailbox(part, field));
            }
        }
        return out;
    }

    /** {@code addr} or {@code Name <addr>}; the address by the RCPT TO rules of core. */
    static Mailbox mailbox(final String value, final String field) throws ApiException {
        String text = value.strip();
        String name = null;
        final int lt = text.lastIndexOf('<');
        if (lt >= 0 && text.endsWith(">")) {
            name = blankToNull(text.substring(0, lt).strip().replaceAll("^\"|\"$", ""));
            text = text.substring(lt + 1, text.length() - 1).strip();
        }
        final dev.mailpipe.core.address.Mailbox parsed;
        try {
            parsed = dev.mailpipe.core.address.Mailbox.parse(text, false);
        } catch (final AddressException e) {
            throw bad(field + ": not an address: " + printable(text));
        }
        final String address = parsed.toString();
        final int at = address.lastIndexOf('@');
        return new Mailbox(name, address.substring(0, at), address.substring(at + 1));
    }

    private static byte[] write(final Message message) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new DefaultMessageWriter().writeMessage(message, out);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String required(final Map<String, String> form, final String name) throws ApiException {
        final String value = blankToNull(form.get(name));
        if (value == null) {
            throw bad(name + " is required");
        }
        return value;
    }

    private static String blankToNull(final String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String printable(final String s) {
        return dev.mailpipe.core.address.Mailbox.printable(s.length() > 80 ? s.substring(0, 80) + "…" : s);
    }

    private static ApiException bad(final String message) {
        return new ApiException(400, message);
    }
}

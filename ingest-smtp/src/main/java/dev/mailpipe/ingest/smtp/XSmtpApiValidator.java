package dev.mailpipe.ingest.smtp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the {@code X-SMTPAPI} header of a message before it is accepted (seed 000): base64 of a
 * JSON object; the last header field; at most 1 MB; {@code to} an array of 1..100 addresses;
 * {@code sub} an object of arrays with one value per recipient; {@code section} an object of
 * strings; {@code filters} (alias {@code apps}) the three known tracking filters. Validation only:
 * the expander interprets the header. No I/O.
 */
public final class XSmtpApiValidator {

    public static final String HEADER = "X-SMTPAPI";
    public static final int MAX_HEADER_BYTES = 1024 * 1024;
    public static final int MAX_TO = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("to", "sub", "section", "filters", "apps", "settings");
    private static final Set<String> FILTERS = Set.of("subscription_tracking", "open_tracking", "click_tracking");

    private XSmtpApiValidator() {
    }

    /**
     * @param content            the message as received (before mailpipe's Received header)
     * @param envelopeRecipients how many RCPT TO recipients the transaction has
     * @return the problem, worded for the client, or empty when the header is absent or valid
     */
    public static Optional<String> validate(final byte[] content, final int envelopeRecipients) {
        final List<HeaderField> fields = headerFields(content);
        int index = -1;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equalsIgnoreCase(HEADER)) {
                if (index >= 0) {
                    return Optional.of("more than one X-SMTPAPI header");
                }
                index = i;
            }
        }
        if (index < 0) {
            return Optional.empty();
        }
        if (index != fields.size() - 1) {
            return Optional.of("X-SMTPAPI must be the last header field");
        }
        final String value = fields.get(index).value();
        if (value.length() > MAX_HEADER_BYTES) {
            return Optional.of("X-SMTPAPI longer than 1 MB");
        }
        return validateValue(value, envelopeRecipients);
    }

    /** Validates the header's value (base64 JSON; whitespace from folding is ignored). */
    public static Optional<String> validateValue(final String value, final int envelopeRecipients) {
        final byte[] json;
        try {
            json = Base64.getDecoder().decode(value.replaceAll("\\s+", ""));
        } catch (final IllegalArgumentException e) {
            return Optional.of("value is not valid base64");
        }
        final JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (final JsonProcessingException e) {
            return Optional.of("value is not valid JSON");
        } catch (final java.io.IOException e) {
            return Optional.of("value is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            return Optional.of("value is not a JSON object");
        }
        return checkShape((ObjectNode) root, envelopeRecipients);
    }

    private static Optional<String> checkShape(final ObjectNode root, final int envelopeRecipients) {
        for (final Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            final String name = it.next();
            if (!FIELDS.contains(name)) {
                return Optional.of("unknown field \"" + name + "\"");
            }
        }
        int recipients = envelopeRecipients;
        final JsonNode to = root.get("to");
        if (to != null) {
            if (!to.isArray() || to.isEmpty()) {
                return Optional.of("\"to\" must be a non-empty array of addresses");
            }
            if (to.size() > MAX_TO) {
                return Optional.of("\"to\" has " + to.size() + " recipients, at most " + MAX_TO + " allowed");
            }
            for (final JsonNode address : to) {
                if (!address.isTextual() || !MailAddress.isValid(address.asText())) {
                    return Optional.of("\"to\" holds an invalid address: " + abbreviate(address.toString()));
                }
            }
            recipients = to.size();
        }
        final JsonNode sub = root.get("sub");
        if (sub != null) {
            if (!sub.isObject()) {
                return Optional.of("\"sub\" must be an object of arrays");
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = sub.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isArray()) {
                    return Optional.of("\"sub\" value of " + abbreviate(e.getKey()) + " must be an array");
                }
                for (final JsonNode v : e.getValue()) {
                    if (!v.isValueNode() || v.isNull()) {
                        return Optional.of("\"sub\" values of " + abbreviate(e.getKey()) + " must be strings or numbers");
                    }
                }
                if (e.getValue().size() != recipients) {
                    return Optional.of("\"sub\" " + abbreviate(e.getKey()) + " has " + e.getValue().size()
                            + " values for " + recipients + " recipients");
                }
            }
        }
        final JsonNode section = root.get("section");
        if (section != null) {
            if (!section.isObject()) {
                return Optional.of("\"section\" must be an object of strings");
            }
            for (final Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    return Optional.of("\"section\" value of " + abbreviate(e.getKey()) + " must be a string");
                }
            }
        }
        for (final String key : List.of("filters", "apps")) {
            final Optional<String> problem = checkFilters(key, root.get(key));
            if (problem.isPresent()) {
                return problem;
            }
        }
        final JsonNode settings = root.get("settings");
        if (settings != null && !settings.isObject()) {
            return Optional.of("\"settings\" must be an object");
        }
        return Optional.empty();
    }

    private static Optional<String> checkFilters(final String key, final JsonNode filters) {
        if (filters == null) {
            return Optional.empty();
        }
        if (!filters.isObject()) {
            return Optional.of("\"" + key + "\" must be an object");
        }
        for (final Iterator<Map.Entry<String, JsonNode>> it = filters.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> e = it.next();
            if (!FILTERS.contains(e.getKey())) {
                return Optional.of("unknown filter " + abbreviate(e.getKey()));
            }
            final JsonNode enable = e.getValue().path("settings").path("enable");
            final String flag = enable.isValueNode() ? enable.asText() : "";
            if (!flag.equals("0") && !flag.equals("1")) {
                return Optional.of("filter " + e.getKey() + " needs {\"settings\": {\"enable\": \"0\" or \"1\"}}");
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(final String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    record HeaderField(String name, String value) {
    }

    /** The unfolded header fields of a message, up to the first empty line. */
    static List<HeaderField> headerFields(final byte[] content) {
        final String text = new String(content, 0, headerEnd(content), StandardCharsets.ISO_8859_1);
        final List<HeaderField> fields = new ArrayList<>();
        String name = null;
        StringBuilder value = null;
        for (final String line : text.split("\r\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && value != null) {
                value.append(line);
                continue;
            }
            if (name != null) {
                fields.add(new HeaderField(name, value.toString()));
            }
            final int colon = line.indexOf(':');
            name = colon < 0 ? line.strip() : line.substring(0, colon).strip();
            value = new StringBuilder(colon < 0 ? "" : line.substring(colon + 1));
        }
        if (name != null) {
            fields.add(new HeaderField(name, value.toString()));
        }
        return fields;
    }

    private static int headerEnd(final byte[] c) {
        for (int i = 0; i + 3 < c.length; i++) {
            if (c[i] == '\r' && c[i + 1] == '\n' && c[i + 2] == '\r' && c[i + 3] == '\n') {
                return i + 2;
            }
        }
        if (c.length >= 2 && c[0] == '\r' && c[1] == '\n') {
            return 0;
        }
        return c.length;
    }

    static String upper(final String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}

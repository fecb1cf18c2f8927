package dev.mailpipe.core.smtpapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.mailpipe.core.address.AddressException;
import dev.mailpipe.core.address.Mailbox;
import dev.mailpipe.core.mail.EncodedWords;
import dev.mailpipe.core.mail.HeaderBlock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one reading of the {@code X-SMTPAPI} header (seed 000): ingest refuses a submission when
 * {@link #read} throws, the expander expands what {@link #read} returns, so "ingest accepts ⇔ the
 * expander expands" holds by construction. Pure: no I/O. Rules (core/DESIGN.md):
 *
 * <ul>
 *   <li>the field may stand anywhere in the top-level header block (nodemailer and Python's
 *       {@code EmailMessage} put custom fields first); exactly one, two are an error; the expander
 *       removes it from every email wherever it stood;</li>
 *   <li>the value may be folded over several lines and may be RFC 2047 encoded words; white space
 *       inside the base64 is ignored, missing padding is tolerated; at most 1 MB;</li>
 *   <li>base64 of one JSON object in UTF-8; duplicate keys and data after the object are errors;</li>
 *   <li>{@code to}: 1..100 addresses by the RCPT TO rules ({@link Mailbox});</li>
 *   <li>{@code sub}: an object of arrays of strings, numbers or booleans; each array has at least
 *       one value per recipient (longer arrays are fine, the rest is unused);</li>
 *   <li>{@code section}: an object of strings or numbers;</li>
 *   <li>{@code filters} (alias {@code apps}, not both): each known filter needs
 *       {@code settings.enable} of {@code "1"}/{@code "0"}, {@code 1}/{@code 0} or {@code true}/{@code false};</li>
 *   <li>unknown top-level keys and unknown filter names are ignored (SendCloud documents more than
 *       mailpipe implements; a client written for it must not fail).</li>
 * </ul>
 */
public final class XSmtpApiHeader {

    public static final String NAME = "X-SMTPAPI";

    /** Seed 000: "这里的 to 的收件人个数不能超过100". */
    public static final int MAX_RECIPIENTS = 100;

    /** Seed 000: "X-SMTPAPI 的总长度不能超过 1M". */
    public static final int MAX_HEADER_CHARS = 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final List<String> FILTERS = List.of("subscription_tracking", "open_tracking", "click_tracking");

    private XSmtpApiHeader() {
    }

    /** Whether a header field name is X-SMTPAPI (case-insensitive). */
    public static boolean is(final String fieldName) {
        return NAME.equalsIgnoreCase(fieldName);
    }

    /**
     * Reads the header of a whole message (CRLF or LF line ends).
     *
     * @param envelopeRecipients how many RCPT TO recipients the submission has (used when there is no {@code to})
     * @param smtputf8           whether the submission used SMTPUTF8 (then {@code to} may hold UTF-8 addresses)
     * @return {@link XSmtpApi#ABSENT} when the message has no such field
     */
    public static XSmtpApi read(final byte[] content, final int envelopeRecipients, final boolean smtputf8)
            throws XSmtpApiException {
        return read(HeaderBlock.scan(content, 0, content.length), envelopeRecipients, smtputf8);
    }

    /** {@link #read(byte[], int, boolean)} for a header block already scanned. */
    public static XSmtpApi read(final HeaderBlock header, final int envelopeRecipients, final boolean smtputf8)
            throws XSmtpApiException {
        HeaderBlock.Field found = null;
        for (final HeaderBlock.Field field : header.fields()) {
            if (is(field.name())) {
                if (found != null) {
                    throw new XSmtpApiException("more than one X-SMTPAPI header");
                }
                found = field;
            }
        }
        return found == null ? XSmtpApi.ABSENT : parseValue(found.value(), envelopeRecipients, smtputf8);
    }

    /**
     * The JSON object of a message's X-SMTPAPI field, as written (no rule checked), or an empty
     * object when there is none: for a writer that adds to it ({@link #field}).
     */
    public static com.fasterxml.jackson.databind.node.ObjectNode jsonOf(final HeaderBlock header)
            throws XSmtpApiException {
        final HeaderBlock.Field found = header.first(NAME);
        if (found == null) {
            return JSON.createObjectNode();
        }
        final JsonNode root = readJson(decodeBase64(EncodedWords.decode(found.value())));
        if (!root.isObject()) {
            throw new XSmtpApiException("X-SMTPAPI must be a JSON object, got " + kind(root));
        }
        return (com.fasterxml.jackson.databind.node.ObjectNode) root;
    }

    /** The whole header field for {@code json}: {@code X-SMTPAPI: } base64 folded at 76, CRLF. */
    public static String field(final JsonNode json) {
        final String base64;
        try {
            base64 = Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(json));
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree always serialises
        }
        return NAME + ": " + fold(base64) + "\r\n";
    }

    /** Base64 folded into lines of 76 (the reader ignores the white space). */
    public static String fold(final String base64) {
        final StringBuilder out = new StringBuilder(base64.length() + base64.length() / 76 * 3);
        for (int i = 0; i < base64.length(); i += 76) {
            if (i > 0) {
                out.append("\r\n ");
            }
            out.append(base64, i, Math.min(base64.length(), i + 76));
        }
        return out.toString();
    }

    /** Parses the header's value as it appears in the message (folding and encoded words allowed). */
    public static XSmtpApi parseValue(final String headerValue, final int envelopeRecipients, final boolean smtputf8)
            throws XSmtpApiException {
        if (headerValue.length() > MAX_HEADER_CHARS) {
            throw new XSmtpApiException("X-SMTPAPI is longer than 1 MB (" + headerValue.length() + " characters)");
        }
        final JsonNode root = readJson(decodeBase64(EncodedWords.decode(headerValue)));
        if (!root.isObject()) {
            throw new XSmtpApiException("X-SMTPAPI must be a JSON object, got " + kind(root));
        }
        final Optional<List<String>> to = root.has("to") ? Optional.of(recipients(root.get("to"), smtputf8))
                : Optional.empty();
        final int recipients = to.map(List::size).orElse(envelopeRecipients);
        final Map<String, List<String>> sub = root.has("sub") ? substitutions(root.get("sub"), recipients) : Map.of();
        final Map<String, String> section = root.has("section") ? sections(root.get("section")) : Map.of();
        if (root.has("filters") && root.has("apps")) {
            throw new XSmtpApiException("give \"filters\" or \"apps\", not both");
        }
        final JsonNode filters = root.has("filters") ? root.get("filters") : root.get("apps");
        return new XSmtpApi(to, sub, section, filters == null ? FilterOverrides.NONE : filters(filters));
    }

    private static byte[] decodeBase64(final String headerValue) throws XSmtpApiException {
        final StringBuilder compact = new StringBuilder(headerValue.length());
        for (int i = 0; i < headerValue.length(); i++) {
            final char c = headerValue.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                compact.append(c);
            }
        }
        if (compact.isEmpty()) {
            throw new XSmtpApiException("X-SMTPAPI is empty");
        }
        while (compact.length() % 4 != 0) {
            compact.append('=');
        }
        try {
            return Base64.getDecoder().decode(compact.toString());
        } catch (final IllegalArgumentException e) {
            throw new XSmtpApiException("X-SMTPAPI is not valid base64: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(final byte[] bytes) throws XSmtpApiException {
        try {
            final JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new XSmtpApiException("X-SMTPAPI holds no JSON");
            }
            return node;
        } catch (final JsonProcessingException e) {
            throw new XSmtpApiException("X-SMTPAPI is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (final IOException e) {
            throw new XSmtpApiException("X-SMTPAPI is not valid JSON: " + e.getMessage(), e);
        } catch (final NumberFormatException e) {
            // Jackson reads floats as exact BigDecimals; one it cannot hold (an exponent past an int,
            // e.g. 8000e0176152743487…) fails unchecked while the tree is read.
            throw new XSmtpApiException("X-SMTPAPI has a number out of range: " + e.getMessage(), e);
        }
    }

    private static List<String> recipients(final JsonNode node, final boolean smtputf8) throws XSmtpApiException {
        if (!node.isArray()) {
            throw new XSmtpApiException("\"to\" must be an array of addresses, got " + kind(node));
        }
        if (node.isEmpty()) {
            throw new XSmtpApiException("\"to\" is empty");
        }
        if (node.size() > MAX_RECIPIENTS) {
            throw new XSmtpApiException("\"to\" has " + node.size() + " recipients, at most " + MAX_RECIPIENTS
                    + " are allowed");
        }
        final List<String> to = new ArrayList<>(node.size());
        for (final JsonNode element : node) {
            if (!element.isTextual()) {
                throw new XSmtpApiException("\"to\" element " + to.size() + " is not a string");
            }
            final String address = element.textValue().strip();
            try {
                to.add(Mailbox.parse(address, smtputf8).address());
            } catch (final AddressException e) {
                throw new XSmtpApiException("\"to\" element " + to.size() + " is not accepted: " + e.getMessage());
            }
        }
        return to;
    }

    private static Map<String, List<String>> substitutions(final JsonNode node, final int recipients)
            throws XSmtpApiException {
        if (!node.isObject()) {
            throw new XSmtpApiException("\"sub\" must be an object of arrays, got " + kind(node));
        }
        final Map<String, List<String>> sub = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> entry : node.properties()) {
            final String variable = entry.getKey();
            if (variable.isEmpty()) {
                throw new XSmtpApiException("\"sub\" has an empty variable name");
            }
            final JsonNode values = entry.getValue();
            if (!values.isArray()) {
                throw new XSmtpApiException("\"sub\" value of " + variable + " must be an array, got " + kind(values));
            }
            final List<String> rendered = new ArrayList<>(values.size());
            for (final JsonNode value : values) {
                rendered.add(scalar(value, "\"sub\" " + variable + "[" + rendered.size() + "]"));
            }
            if (rendered.size() < recipients) {
                throw new XSmtpApiException("\"sub\" " + variable + " has " + rendered.size() + " values for "
                        + recipients + " recipients");
            }
            sub.put(variable, rendered);
        }
        return sub;
    }

    private static Map<String, String> sections(final JsonNode node) throws XSmtpApiException {
        if (!node.isObject()) {
            throw new XSmtpApiException("\"section\" must be an object of strings, got " + kind(node));
        }
        final Map<String, String> section = new LinkedHashMap<>();
        for (final Map.Entry<String, JsonNode> entry : node.properties()) {
            if (entry.getKey().isEmpty()) {
                throw new XSmtpApiException("\"section\" has an empty name");
            }
            section.put(entry.getKey(), scalar(entry.getValue(), "\"section\" " + entry.getKey()));
        }
        return section;
    }

    private static FilterOverrides filters(final JsonNode node) throws XSmtpApiException {
        if (!node.isObject()) {
            throw new XSmtpApiException("\"filters\" must be an object, got " + kind(node));
        }
        final List<Optional<Boolean>> enabled = new ArrayList<>(FILTERS.size());
        for (final String name : FILTERS) {
            enabled.add(enable(node, name));
        }
        return new FilterOverrides(enabled.get(0), enabled.get(1), enabled.get(2));
    }

    private static Optional<Boolean> enable(final JsonNode filters, final String name) throws XSmtpApiException {
        final JsonNode filter = filters.get(name);
        if (filter == null) {
            return Optional.empty();
        }
        final JsonNode enable = filter.path("settings").path("enable");
        if (enable.isMissingNode()) {
            throw new XSmtpApiException("filter " + name + " needs {\"settings\": {\"enable\": \"1\" or \"0\"}}");
        }
        final String value = enable.isTextual() ? enable.textValue().strip().toLowerCase(Locale.ROOT)
                : enable.isIntegralNumber() || enable.isBoolean() ? enable.asText() : "?";
        return switch (value) {
            case "1", "true" -> Optional.of(Boolean.TRUE);
            case "0", "false" -> Optional.of(Boolean.FALSE);
            default -> throw new XSmtpApiException("filter " + name + " settings.enable must be \"1\" or \"0\", got "
                    + abbreviate(enable.toString()));
        };
    }

    /** Strings as they are; numbers and booleans as their JSON text ({@code 288}, {@code 4.50}). */
    private static String scalar(final JsonNode value, final String where) throws XSmtpApiException {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBigDecimal()) {
            return value.decimalValue().toPlainString();
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        throw new XSmtpApiException(where + " must be a string or a number, got " + kind(value));
    }

    private static String abbreviate(final String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String kind(final JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}

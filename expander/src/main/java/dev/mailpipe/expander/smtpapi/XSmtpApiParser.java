package dev.mailpipe.expander.smtpapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Parses the value of an {@code X-SMTPAPI} header: base64 of a JSON object with the optional keys
 * {@code to}, {@code sub}, {@code section} and {@code filters} (alias {@code apps}). Pure: no I/O.
 * Anything that does not have the documented shape is an {@link XSmtpApiException}; unknown
 * top-level keys and unknown filter names are ignored (SendCloud has more apps than mailpipe).
 */
public final class XSmtpApiParser {

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

    private XSmtpApiParser() {
    }

    /**
     * @param headerValue the header's value as it appears in the message (folding allowed)
     */
    public static XSmtpApi parse(final String headerValue) throws XSmtpApiException {
        if (headerValue.length() > MAX_HEADER_CHARS) {
            throw new XSmtpApiException("X-SMTPAPI is longer than 1 MB (" + headerValue.length() + " characters)");
        }
        final JsonNode root = readJson(decodeBase64(headerValue));
        if (!root.isObject()) {
            throw new XSmtpApiException("X-SMTPAPI must be a JSON object, got " + kind(root));
        }
        final Optional<List<String>> to = root.has("to") ? Optional.of(recipients(root.get("to"))) : Optional.empty();
        final Map<String, List<String>> sub = root.has("sub") ? substitutions(root.get("sub")) : Map.of();
        final Map<String, String> section = root.has("section") ? sections(root.get("section")) : Map.of();
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
        }
    }

    private static List<String> recipients(final JsonNode node) throws XSmtpApiException {
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
            if (!Addresses.isPlainAddress(address)) {
                throw new XSmtpApiException("\"to\" element " + to.size() + " is not an email address: "
                        + Addresses.printable(address));
            }
            to.add(address);
        }
        return to;
    }

    private static Map<String, List<String>> substitutions(final JsonNode node) throws XSmtpApiException {
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
        return new FilterOverrides(enable(node, "subscription_tracking"), enable(node, "open_tracking"),
                enable(node, "click_tracking"));
    }

    private static Optional<Boolean> enable(final JsonNode filters, final String name) throws XSmtpApiException {
        final JsonNode filter = filters.get(name);
        if (filter == null) {
            return Optional.empty();
        }
        final JsonNode enable = filter.path("settings").path("enable");
        if (enable.isMissingNode()) {
            throw new XSmtpApiException("filter " + name + " lacks settings.enable");
        }
        final String value = enable.isTextual() ? enable.textValue().strip().toLowerCase(Locale.ROOT)
                : enable.isNumber() || enable.isBoolean() ? enable.asText() : "?";
        return switch (value) {
            case "1", "true" -> Optional.of(Boolean.TRUE);
            case "0", "false" -> Optional.of(Boolean.FALSE);
            default -> throw new XSmtpApiException("filter " + name + " settings.enable must be \"1\" or \"0\", got "
                    + enable);
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

    private static String kind(final JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}

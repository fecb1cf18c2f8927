package dev.mailpipe.core.lists;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailpipe.core.mail.HeaderBlock;
import dev.mailpipe.core.smtpapi.XSmtpApiException;
import dev.mailpipe.core.smtpapi.XSmtpApiHeader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One submission of at most {@link XSmtpApiHeader#MAX_RECIPIENTS} members of a list send: the
 * template's message with its X-SMTPAPI {@code to} set to the members and {@code sub} to their
 * vars (a member without a var gets an empty value), so the expander personalises it exactly as an
 * SMTP submission. The template's {@code filters}, {@code section} and other fields stay; it may
 * not carry {@code to} or {@code sub} of its own. Pure; bytes outside the X-SMTPAPI field are kept.
 */
public final class ListChunk {

    /** A member's substitution key for its name, unless its vars give one. */
    public static final String NAME_VARIABLE = "%name%";

    /** One member as the chunk needs it. */
    public record Member(String address, String name, Map<String, String> vars) {
        public Member {
            vars = vars == null ? Map.of() : Map.copyOf(vars);
            name = name == null ? "" : name;
        }
    }

    private ListChunk() {
    }

    /** Whether a template may be sent to a list: no {@code to} or {@code sub} of its own. */
    public static void checkTemplate(final byte[] template) throws XSmtpApiException {
        final ObjectNode api = XSmtpApiHeader.jsonOf(HeaderBlock.scan(template, 0, template.length));
        if (api.has("to") || api.has("sub")) {
            throw new XSmtpApiException("a send to an address list takes its recipients and substitution values "
                    + "from the list's members: leave \"to\" and \"sub\" out of X-SMTPAPI");
        }
    }

    /** The template's message for these members. */
    public static byte[] content(final byte[] template, final List<Member> members) throws XSmtpApiException {
        if (members.isEmpty() || members.size() > XSmtpApiHeader.MAX_RECIPIENTS) {
            throw new IllegalArgumentException("a chunk has 1.." + XSmtpApiHeader.MAX_RECIPIENTS + " members");
        }
        final HeaderBlock header = HeaderBlock.scan(template, 0, template.length);
        final ObjectNode api = XSmtpApiHeader.jsonOf(header);
        final ArrayNode to = api.putArray("to");
        final Set<String> keys = new LinkedHashSet<>();
        boolean named = false;
        for (final Member m : members) {
            to.add(m.address());
            keys.addAll(m.vars().keySet());
            named |= !m.name().isEmpty();
        }
        if (named) {
            keys.add(NAME_VARIABLE);
        }
        final ObjectNode sub = api.putObject("sub");
        for (final String key : keys) {
            final ArrayNode values = sub.putArray(key);
            for (final Member m : members) {
                values.add(m.vars().getOrDefault(key, NAME_VARIABLE.equals(key) ? m.name() : ""));
            }
        }
        if (sub.isEmpty()) {
            api.remove("sub");
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream(template.length + 64 * members.size());
        final byte[] field = XSmtpApiHeader.field(api).getBytes(StandardCharsets.US_ASCII);
        out.write(field, 0, field.length);
        final HeaderBlock.Field old = header.first(XSmtpApiHeader.NAME);
        if (old == null) {
            out.write(template, 0, template.length);
        } else {
            out.write(template, 0, old.start());
            out.write(template, old.end(), template.length - old.end());
        }
        return out.toByteArray();
    }
}

package dev.mailpipe.expander.smtpapi;

import dev.mailpipe.core.smtpapi.XSmtpApi;
import dev.mailpipe.core.smtpapi.XSmtpApiException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The substitution table of one submission: the variables of {@code sub} and, for each recipient
 * position, the value of every variable with sections already resolved. Pure.
 *
 * <p>Rules (DESIGN.md): recipient {@code i} gets element {@code i} of every array; an array shorter
 * than the recipient list is an error of the whole submission; longer arrays are fine (the rest is
 * unused). Inside a value, each {@code %name%} whose {@code name} is a section key is replaced by
 * that section's text, once: section texts are not expanded again, so there are no loops.
 */
public final class Personalisation {

    private static final Personalisation NONE = new Personalisation(List.of(), new String[0][]);

    private final List<String> variables;
    private final String[][] valuesByRecipient;

    private Personalisation(final List<String> variables, final String[][] valuesByRecipient) {
        this.variables = variables;
        this.valuesByRecipient = valuesByRecipient;
    }

    /** No variables: every email is the submission as it is. */
    public static Personalisation none() {
        return NONE;
    }

    /**
     * @throws XSmtpApiException if an array of {@code sub} is shorter than {@code recipients}
     */
    public static Personalisation of(final XSmtpApi api, final int recipients) throws XSmtpApiException {
        if (api.sub().isEmpty()) {
            return NONE;
        }
        final List<String> variables = new ArrayList<>(api.sub().keySet());
        for (final String variable : variables) {
            final int size = api.sub().get(variable).size();
            if (size < recipients) {
                throw new XSmtpApiException("\"sub\" " + variable + " has " + size + " values for " + recipients
                        + " recipients");
            }
        }
        final Pattern sectionReference = sectionPattern(api.section());
        final String[][] table = new String[recipients][variables.size()];
        for (int r = 0; r < recipients; r++) {
            for (int v = 0; v < variables.size(); v++) {
                table[r][v] = resolveSections(api.sub().get(variables.get(v)).get(r), sectionReference, api.section());
            }
        }
        return new Personalisation(List.copyOf(variables), table);
    }

    /** The variable names, e.g. {@code %name%}, in a fixed order matching {@link #valuesFor}. */
    public List<String> variables() {
        return variables;
    }

    /** Values of {@link #variables()} for the recipient at {@code index}. */
    public String[] valuesFor(final int index) {
        return variables.isEmpty() ? new String[0] : valuesByRecipient[index];
    }

    private static Pattern sectionPattern(final Map<String, String> sections) {
        if (sections.isEmpty()) {
            return null;
        }
        final StringBuilder regex = new StringBuilder("%(");
        sections.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).forEach(name -> {
            if (regex.length() > 2) {
                regex.append('|');
            }
            regex.append(Pattern.quote(name));
        });
        return Pattern.compile(regex.append(")%").toString());
    }

    private static String resolveSections(final String value, final Pattern reference, final Map<String, String> sections) {
        if (reference == null || value.indexOf('%') < 0) {
            return value;
        }
        final Matcher matcher = reference.matcher(value);
        return matcher.replaceAll(match -> Matcher.quoteReplacement(sections.get(match.group(1))));
    }
}

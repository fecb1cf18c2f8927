package dev.mailpipe.expander.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A text split once into literal pieces and variable slots, so that rendering it for each of up to
 * 100 recipients is a concatenation, not a search.
 */
final class TextTemplate {

    private final String[] literals;
    private final int[] slots;

    private TextTemplate(final String[] literals, final int[] slots) {
        this.literals = literals;
        this.slots = slots;
    }

    static TextTemplate compile(final String text, final Variables variables) {
        if (variables.isEmpty()) {
            return new TextTemplate(new String[] {text}, new int[0]);
        }
        final List<String> literals = new ArrayList<>();
        final List<Integer> slots = new ArrayList<>();
        final Matcher matcher = variables.pattern().matcher(text);
        int last = 0;
        while (matcher.find()) {
            literals.add(text.substring(last, matcher.start()));
            slots.add(variables.indexOf(matcher.group()));
            last = matcher.end();
        }
        literals.add(text.substring(last));
        return new TextTemplate(literals.toArray(String[]::new), slots.stream().mapToInt(Integer::intValue).toArray());
    }

    boolean hasVariables() {
        return slots.length > 0;
    }

    String render(final String[] values) {
        return render(values, java.util.function.UnaryOperator.identity());
    }

    /** Renders with each value passed through {@code valueForm} first. */
    String render(final String[] values, final java.util.function.UnaryOperator<String> valueForm) {
        if (slots.length == 0) {
            return literals[0];
        }
        int length = 0;
        for (final String literal : literals) {
            length += literal.length();
        }
        final StringBuilder out = new StringBuilder(length + 64 * slots.length);
        for (int i = 0; i < slots.length; i++) {
            out.append(literals[i]).append(valueForm.apply(values[slots[i]]));
        }
        return out.append(literals[slots.length]).toString();
    }
}

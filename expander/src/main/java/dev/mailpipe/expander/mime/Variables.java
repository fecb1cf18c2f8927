package dev.mailpipe.expander.mime;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The variable names of one submission (e.g. {@code %name%}) and a matcher for them. At each
 * position the longest name wins, and text is scanned once, so a value that contains a variable
 * name is never substituted again.
 */
public final class Variables {

    private static final Variables NONE = new Variables(List.of(), null);

    private final List<String> names;
    private final Pattern pattern;
    private final Map<String, Integer> indexes;

    private Variables(final List<String> names, final Pattern pattern) {
        this.names = names;
        this.pattern = pattern;
        this.indexes = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            indexes.putIfAbsent(names.get(i), i);
        }
    }

    /** @param names variable names; value arrays given to templates follow this order */
    public static Variables of(final List<String> names) {
        if (names.isEmpty()) {
            return NONE;
        }
        final StringBuilder regex = new StringBuilder();
        names.stream().sorted(Comparator.comparingInt(String::length).reversed()).forEach(name -> {
            if (!regex.isEmpty()) {
                regex.append('|');
            }
            regex.append(Pattern.quote(name));
        });
        return new Variables(List.copyOf(names), Pattern.compile(regex.toString()));
    }

    public static Variables none() {
        return NONE;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    public int size() {
        return names.size();
    }

    /** Null when there are no variables. */
    Pattern pattern() {
        return pattern;
    }

    int indexOf(final String name) {
        return indexes.get(name);
    }
}

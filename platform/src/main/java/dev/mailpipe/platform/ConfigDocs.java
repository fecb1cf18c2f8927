package dev.mailpipe.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The README's configuration tables, generated from the registered {@link AppConfigDef}s: the text
 * between {@code <!-- config: NAME -->} and {@code <!-- /config -->} is the table of app NAME.
 * {@code ./mailpipe config-docs} prints every table; {@code --write README.md} rewrites them in place.
 */
public final class ConfigDocs {

    static final Pattern SECTION = Pattern.compile(
            "(<!-- config: ([a-z0-9-]+) -->\\n)(.*?)(<!-- /config -->)", Pattern.DOTALL);

    private ConfigDocs() {
    }

    /** One Markdown table: variable, key, default, meaning, in definition order. */
    public static String table(final AppConfigDef definition) {
        final StringBuilder out = new StringBuilder("| env variable | key | default | meaning |\n|---|---|---|---|\n");
        for (final ConfigDef.ConfigKey key : definition.configDef().configKeys().values()) {
            if (key.internalConfig) {
                continue;
            }
            out.append("| `").append(EnvConfig.variableOf(key.name)).append("` | `").append(key.name).append("` | ")
                    .append(defaultOf(key)).append(" | ").append(cell(key.documentation)).append(" |\n");
        }
        for (final String prefix : definition.passThroughPrefixes()) {
            out.append("| `").append(EnvConfig.variableOf(prefix + "<key>")).append("` | `")
                    .append(prefix).append("<key>` | — | passed through as `<key>` |\n");
        }
        return out.toString();
    }

    /** {@code text} with every marked section replaced by the current table of its app. */
    public static String rewrite(final String text, final Collection<AppConfigDef> definitions) {
        final Map<String, AppConfigDef> byName = byName(definitions);
        final Matcher matcher = SECTION.matcher(text);
        final StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            final AppConfigDef definition = byName.get(matcher.group(2));
            final String body = definition == null ? matcher.group(3) : table(definition);
            matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(1) + body + matcher.group(4)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Names of the marked sections in {@code text}. */
    public static List<String> sections(final String text) {
        final List<String> names = new ArrayList<>();
        final Matcher matcher = SECTION.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(2));
        }
        return names;
    }

    /**
     * {@code ./mailpipe config-docs [--write FILE]}: prints the tables of all registered apps, or
     * rewrites the marked sections of FILE; exit 1 when an app has no section there.
     */
    public static void main(final String[] args) throws IOException {
        final List<AppConfigDef> definitions = AppConfigDef.registered();
        if (args.length == 2 && args[0].equals("--write")) {
            final Path file = Path.of(args[1]);
            final String text = Files.readString(file, StandardCharsets.UTF_8);
            Files.writeString(file, rewrite(text, definitions), StandardCharsets.UTF_8);
            final List<String> present = sections(text);
            final List<String> missing = definitions.stream().map(AppConfigDef::name)
                    .filter(name -> !present.contains(name)).toList();
            if (!missing.isEmpty()) {
                System.err.println("no <!-- config: NAME --> ... <!-- /config --> section in " + file + " for: "
                        + String.join(", ", missing));
                System.exit(1);
            }
        } else if (args.length == 0) {
            for (final AppConfigDef definition : definitions) {
                System.out.println("<!-- config: " + definition.name() + " -->");
                System.out.print(table(definition));
                System.out.println("<!-- /config -->");
                System.out.println();
            }
        } else {
            System.err.println("usage: ./mailpipe config-docs [--write README.md]");
            System.exit(2);
        }
    }

    private static Map<String, AppConfigDef> byName(final Collection<AppConfigDef> definitions) {
        return definitions.stream().collect(Collectors.toMap(AppConfigDef::name, d -> d, (a, b) -> a, TreeMap::new));
    }

    private static String defaultOf(final ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        final Object value = key.defaultValue;
        if (value == null) {
            return "(none)";
        }
        final String text;
        if (value instanceof Password password) {
            text = password.value();
        } else if (value instanceof List<?> list) {
            text = list.stream().map(String::valueOf).collect(Collectors.joining(","));
        } else {
            text = String.valueOf(value);
        }
        return text.isEmpty() ? "(empty)" : "`" + text.replace("|", "\\|") + "`";
    }

    private static String cell(final String doc) {
        return doc == null ? "" : doc.strip().replace("|", "\\|").replace("\n", " ");
    }
}

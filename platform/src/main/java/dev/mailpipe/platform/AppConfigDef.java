package dev.mailpipe.platform;

import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The settings of one app, registered so that the tools that look at all settings find them: the
 * warning about unknown {@code MAILPIPE_*} variables at start, and {@code ./mailpipe config-docs}
 * (the README's tables between {@code <!-- config: NAME -->} and {@code <!-- /config -->}).
 *
 * <p>Register an app by naming a class that implements this interface (with a public no-argument
 * constructor) on one line of its module's
 * {@code src/main/resources/META-INF/services/dev.mailpipe.platform.AppConfigDef}.
 */
public interface AppConfigDef {

    /** The app's name, e.g. {@code ingest-smtp}; also the README marker {@code <!-- config: ingest-smtp -->}. */
    String name();

    /** Its settings, common ones ({@link CommonConfigs}) included. */
    ConfigDef configDef();

    /** Key prefixes passed through to a library, e.g. {@code expander.streams.}: never unknown. */
    default List<String> passThroughPrefixes() {
        return List.of();
    }

    /** The apps registered on the class path, by name. */
    static List<AppConfigDef> registered() {
        return ServiceLoader.load(AppConfigDef.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(AppConfigDef::name)).toList();
    }

    /** An ad-hoc definition (tests, tools). */
    static AppConfigDef of(final String name, final ConfigDef configDef, final String... passThroughPrefixes) {
        return new AppConfigDef() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ConfigDef configDef() {
                return configDef;
            }

            @Override
            public List<String> passThroughPrefixes() {
                return List.of(passThroughPrefixes);
            }
        };
    }
}

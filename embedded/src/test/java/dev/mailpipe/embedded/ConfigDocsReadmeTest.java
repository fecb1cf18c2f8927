package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailpipe.platform.AppConfigDef;
import dev.mailpipe.platform.ConfigDocs;
import dev.mailpipe.platform.EnvConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's settings tables are the ConfigDefs of the registered apps (./mailpipe config-docs --write README.md). */
class ConfigDocsReadmeTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void shouldRegisterEveryAppOnTheClassPath() {
        assertThat(AppConfigDef.registered()).extracting(AppConfigDef::name)
                .contains("up", "ingest-smtp", "expander", "mx-deliverer", "webhooks", "web");
    }

    @Test
    void shouldHaveOneReadmeTablePerRegisteredApp() throws Exception {
        final String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertThat(ConfigDocs.sections(readme))
                .as("<!-- config: NAME --> sections in README.md")
                .containsAll(AppConfigDef.registered().stream().map(AppConfigDef::name).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void shouldKeepTheReadmeTablesEqualToTheDefinitions() throws Exception {
        final String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertThat(ConfigDocs.rewrite(readme, AppConfigDef.registered()))
                .as("README.md is out of date: run ./mailpipe config-docs --write README.md")
                .isEqualTo(readme);
    }

    @Test
    void shouldWarnAboutATypoInAnyAppsVariable() {
        assertThat(EnvConfig.unknownSettings(Map.of(
                "MAILPIPE_SMTP_PROT", "2525",
                "MAILPIPE_MX_PORT", "25",
                "MAILPIPE_DATA_DIR", "data",
                "MAILPIPE_EXPANDER_THREADS", "2",
                "MAILPIPE_EXPANDER_STREAMS_COMMIT_INTERVAL_MS", "50"), AppConfigDef.registered()))
                .containsExactly("MAILPIPE_SMTP_PROT is not a mailpipe setting and is ignored"
                        + " (did you mean MAILPIPE_SMTP_PORT?)");
    }
}

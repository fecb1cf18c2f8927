package dev.mailpipe.platform;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import picocli.CommandLine;

/** Conventions shared by mailpipe's command-line tools ({@code ./mailpipe replay}, {@code events}, ...). */
public final class Cli {

    /** Exit code when the work failed, e.g. Kafka could not be reached. */
    public static final int FAILED = 1;
    /** Exit code for arguments that do not parse or do not make sense together. */
    public static final int BAD_ARGUMENTS = 2;

    private Cli() {
    }

    /**
     * Executes {@code commandLine}: a bad argument prints {@code error: ...} and a pointer to the
     * command's {@code --help} and returns {@link #BAD_ARGUMENTS}; an exception from the command
     * prints {@code error: ...} and returns {@link #FAILED}. Both writers are flushed.
     */
    public static int execute(final CommandLine commandLine, final String[] args, final PrintWriter out,
            final PrintWriter err) {
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, a) -> {
            final CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("error: " + e.getMessage());
            cmd.getErr().println("(see ./mailpipe " + cmd.getCommandSpec().qualifiedName() + " --help)");
            return BAD_ARGUMENTS;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + e.getMessage());
            return FAILED;
        });
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The {@code --bootstrap-servers} option's help, the same in every tool. */
    public static final String BOOTSTRAP_SERVERS_HELP = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, "
            + "else the broker ./mailpipe up started for $MAILPIPE_DATA_DIR, else localhost:9092).";

    /** Name of the file in the data dir where {@code ./mailpipe up} writes its broker's bootstrap servers. */
    public static final String BOOTSTRAP_FILE = "bootstrap.servers";

    /**
     * The {@code --bootstrap-servers} option if given, else KAFKA_BOOTSTRAP_SERVERS, else the broker
     * that {@code ./mailpipe up} started for {@code MAILPIPE_DATA_DIR} (its
     * {@code <data dir>/bootstrap.servers}), else localhost:9092.
     */
    public static String bootstrapServers(final String option, final Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        final Map<String, String> values = EnvConfig.fromEnvironment(env);
        final String configured = values.get(CommonConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        final Path file = Path.of(values.getOrDefault(CommonConfigs.DATA_DIR_CONFIG, CommonConfigs.DEFAULT_DATA_DIR))
                .resolve(BOOTSTRAP_FILE);
        try {
            if (Files.isRegularFile(file)) {
                final String embedded = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!embedded.isEmpty()) {
                    return embedded;
                }
            }
        } catch (final IOException e) {
            // unreadable: fall back to the default below
        }
        return CommonConfigs.DEFAULT_BOOTSTRAP_SERVERS;
    }

    /** Records the embedded broker's bootstrap servers in {@code <dataDir>/bootstrap.servers} for the tools. */
    public static void writeBootstrapServers(final Path dataDir, final String bootstrapServers) throws IOException {
        Files.createDirectories(dataDir);
        final Path tmp = dataDir.resolve(BOOTSTRAP_FILE + ".tmp");
        Files.writeString(tmp, bootstrapServers + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dataDir.resolve(BOOTSTRAP_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** For a tool's main(): Kafka clients' INFO logs would mix with its output (override with -D...). */
    public static void quietLogging() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    }

    /** A UTF-8 writer whatever the locale: output carries addresses and texts in any script. */
    public static PrintWriter utf8(final OutputStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
    }
}

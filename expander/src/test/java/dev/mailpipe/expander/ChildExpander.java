package dev.mailpipe.expander;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An expander in its own JVM, to be killed with SIGKILL by a crash test. */
final class ChildExpander {

    private static final Logger LOG = LoggerFactory.getLogger(ChildExpander.class);

    private ChildExpander() {
    }

    /** Starts it with its state under {@code temp/first}, its log in {@code temp/child.log}, plus {@code env}. */
    static Process start(final String bootstrap, final String appId, final Path temp, final Map<String, String> env)
            throws IOException {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Path log = temp.resolve("child.log");
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.mailpipe=info",
                "-cp", System.getProperty("java.class.path"), ExpanderApp.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        final Map<String, String> vars = builder.environment();
        vars.keySet().removeIf(name -> name.startsWith("MAILPIPE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS"));
        vars.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        vars.put("MAILPIPE_HTTP_PORT", "-1");
        vars.put("MAILPIPE_EXPANDER_APPLICATION_ID", appId);
        vars.put("MAILPIPE_HOSTNAME", "expander.mailpipe.test"); // a service refuses a host name that is not a FQDN
        vars.put("MAILPIPE_EXPANDER_STATE_DIR", temp.resolve("first").toString());
        // so the survivor need not wait the defaults (45 s session, 10 s transaction) to take over
        vars.put("MAILPIPE_EXPANDER_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        vars.put("MAILPIPE_EXPANDER_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "5000");
        vars.putAll(env);
        final Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        process.onExit().thenRun(() -> {
            try {
                LOG.info("first expander exited ({}); its log:\n{}", process.exitValue(), Files.readString(log));
            } catch (final IOException e) {
                LOG.warn("cannot read the first expander's log", e);
            }
        });
        return process;
    }
}

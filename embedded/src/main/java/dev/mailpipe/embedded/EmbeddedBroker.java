package dev.mailpipe.embedded;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.MailpipeApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (broker and controller in one process) as a child process of
 * the embedded launcher, keeping its log under {@code <data dir>/kafka} so a restart keeps queued
 * mail. The first start formats the storage and records the chosen ports in
 * {@code <data dir>/kafka/mailpipe-ports.properties}; later starts reuse them, because the
 * controller's address is part of the stored voter set.
 *
 * <p>The child runs {@link BrokerMain}, which exits when its standard input closes, so the broker
 * does not outlive a launcher that is killed.
 *
 * <p>Supervised: when the child dies (crash, OOM, {@code kill -9}) it is started again on the same
 * data and ports, with a backoff of 1 s growing to 10 s while starts fail. Meanwhile
 * {@link #isReady()} is false, so {@code /readyz} says the deployment is down; the services keep
 * running and reconnect by themselves.
 */
public final class EmbeddedBroker implements MailpipeApp {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String PORTS_FILE = "mailpipe-ports.properties";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final List<String> command;
    private final String bootstrapServers;
    private final Path logFile;
    private volatile Process process;
    private volatile boolean ready;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
    private Thread supervisor;

    private EmbeddedBroker(final List<String> command, final String bootstrapServers, final Path logFile) {
        this.command = command;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
    }

    private Process launch() throws IOException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    /** Waits for the child to die and starts it again, until {@link #close()}. */
    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            try {
                final int code = process.waitFor();
                if (closed) {
                    return;
                }
                ready = false;
                LOG.warn("the Kafka broker exited (code {}); restarting it in {} ms (see {})", code, backoff.toMillis(),
                        logFile);
                Thread.sleep(backoff.toMillis());
                if (closed) {
                    return;
                }
                process = launch();
                if (closed) {
                    process.destroy();
                    return;
                }
                awaitReady(READY_TIMEOUT);
                ready = true;
                restarts.incrementAndGet();
                backoff = FIRST_BACKOFF;
                LOG.info("Kafka broker restarted and ready on {}", bootstrapServers);
            } catch (final InterruptedException e) {
                return;
            } catch (final IOException | RuntimeException e) {
                LOG.warn("restarting the Kafka broker failed: {}", e.getMessage());
                process.destroyForcibly();
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** How often the supervisor brought the broker back. */
    int restarts() {
        return restarts.get();
    }

    /** The current child process (tests kill it). */
    ProcessHandle processHandle() {
        return process.toHandle();
    }

    /**
     * Starts (formatting on first use) the broker under {@code dataDir} and returns once it
     * answers metadata requests.
     *
     * @param brokerPort the client port on first start; 0 picks a free one
     */
    public static EmbeddedBroker start(final Path dataDir, final int brokerPort, final String heap) {
        try {
            final Path kafkaDir = dataDir.resolve("kafka");
            final Path logDir = kafkaDir.resolve("log");
            Files.createDirectories(logDir);
            final Properties ports = ports(kafkaDir, brokerPort);
            final int clientPort = Integer.parseInt(ports.getProperty("broker.port"));
            final int controllerPort = Integer.parseInt(ports.getProperty("controller.port"));
            final Path config = kafkaDir.resolve("server.properties");
            Files.writeString(config, serverProperties(logDir, clientPort, controllerPort), StandardCharsets.UTF_8);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config, kafkaDir.resolve("format.log"));
            }
            final Path logFile = kafkaDir.resolve("broker.log");
            final List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx" + heap, "-XX:+UseG1GC",
                    "-Dlog4j2.configurationFile=" + log4jConfig(kafkaDir),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", System.getProperty("java.class.path"),
                    BrokerMain.class.getName(), config.toString()));
            final String bootstrap = "127.0.0.1:" + clientPort;
            final EmbeddedBroker broker = new EmbeddedBroker(List.copyOf(command), bootstrap, logFile);
            broker.process = broker.launch();
            try {
                broker.awaitReady(READY_TIMEOUT);
            } catch (final RuntimeException e) {
                broker.close();
                throw e;
            }
            broker.ready = true;
            broker.supervisor = Thread.ofPlatform().daemon().name("kafka-broker-supervisor").start(broker::supervise);
            Cli.writeBootstrapServers(dataDir, bootstrap); // ./mailpipe accounts, events, ... find it
            LOG.info("Kafka broker (KRaft) ready on {}, data in {}", bootstrap, logDir);
            return broker;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public boolean isReady() {
        return ready && process.isAlive();
    }

    /** Stops supervising and the broker (SIGTERM: Kafka's controlled shutdown), waiting up to 30 s. */
    @Override
    public void close() {
        closed = true;
        ready = false;
        if (supervisor != null) {
            supervisor.interrupt();
        }
        final Process process = this.process;
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                LOG.warn("Kafka broker did not stop in 30 s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
        // Probe the port first, quietly: an admin client against a closed port logs a warning a second.
        while (!accepts(port)) {
            if (!process.isAlive() || closed) {
                throw new IllegalStateException("the Kafka broker exited during start; see " + logFile);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not listen in " + timeout + "; see " + logFile);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        final Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive() || closed) {
                    throw new IllegalStateException("the Kafka broker exited during start; see " + logFile);
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (final Exception notYet) {
                    // the broker is still starting; the admin call's own timeout paces this loop
                }
            }
        }
        throw new IllegalStateException("the Kafka broker did not become ready in " + timeout + "; see " + logFile);
    }

    private static boolean accepts(final int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (final IOException notYet) {
            return false;
        }
    }

    private static Properties ports(final Path kafkaDir, final int brokerPort) throws IOException {
        final Path file = kafkaDir.resolve(PORTS_FILE);
        final Properties ports = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                ports.load(in);
            }
            return ports;
        }
        ports.setProperty("broker.port", String.valueOf(brokerPort != 0 && isFree(brokerPort) ? brokerPort : freePort()));
        ports.setProperty("controller.port", String.valueOf(freePort()));
        try (OutputStream out = Files.newOutputStream(file)) {
            ports.store(out, "chosen on first start; the controller address is part of the stored voter set");
        }
        return ports;
    }

    private static String serverProperties(final Path logDir, final int clientPort, final int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + logDir,
                "num.partitions=6",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // One node: admit the largest record mailpipe writes (16 MB message + framing).
                "message.max.bytes=" + (20 * 1024 * 1024),
                "replica.fetch.max.bytes=" + (20 * 1024 * 1024),
                "auto.create.topics.enable=false",
                "log.retention.hours=168",
                "")
                ;
    }

    private static void format(final Path config, final Path log) throws IOException {
        final List<String> command = List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
                "kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString());
        final Process format = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed: " + Files.readString(log));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting Kafka storage", e);
        }
    }

    private static Path log4jConfig(final Path kafkaDir) throws IOException {
        final Path file = kafkaDir.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.stdout.ref=STDOUT",
                "appender.stdout.type=Console",
                "appender.stdout.name=STDOUT",
                "appender.stdout.layout.type=PatternLayout",
                "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
                "logger.kafka.name=kafka.server.KafkaServer",
                "logger.kafka.level=INFO",
                ""));
        return file;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static boolean isFree(final int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (final IOException taken) {
            LOG.info("port {} is taken; the embedded broker takes a free one", port);
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}

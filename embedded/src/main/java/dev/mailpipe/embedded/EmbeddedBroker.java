package dev.mailpipe.embedded;

import dev.mailpipe.platform.Cli;
import dev.mailpipe.platform.MailpipeApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>The child runs {@link BrokerMain}, which outlives a launcher that dies without stopping it
 * (e.g. {@code kill -9}) by an orphan grace period only: a launcher started on the same data
 * directory within that time adopts the running broker through its control file (see
 * {@link BrokerLease}) instead of waiting for a cold start of a new one; otherwise the orphan
 * shuts itself down. A launcher never adopts a broker that another live launcher holds.
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

    private static final Duration ADOPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STOPPING_TIMEOUT = Duration.ofSeconds(60);
    /** The broker JVM's flags after {@code -Xmx} (bench/README.md, "Memory of the embedded default"). */
    static final List<String> JVM_FLAGS = List.of("-Xms32m", "-XX:+UseSerialGC");
    /**
     * System property of the launcher's JVM with more broker JVM flags, comma-separated, after
     * {@link #JVM_FLAGS} (so they win): {@code MAILPIPE_JAVA_OPTS="... -Dmailpipe.kafka.jvm.flags=-Xss512k,-XX:+AlwaysPreTouch"}.
     */
    static final String JVM_FLAGS_PROPERTY = "mailpipe.kafka.jvm.flags";
    /**
     * Broker settings ({@code key=value}) appended to server.properties, so they win over its lines.
     * The log cleaner's dedupe buffer is 128 MB of heap by default, held for the process's life;
     * 16 MB still compacts ~600,000 keys per pass (more passes beyond that, nothing lost).
     */
    static final List<String> BROKER_OVERRIDES = List.of("log.cleaner.dedupe.buffer.size=" + (16 * 1024 * 1024));
    /** System property with more {@code key=value} broker overrides, comma-separated. */
    static final String OVERRIDES_PROPERTY = "mailpipe.kafka.overrides";

    private final List<String> command;
    private final String bootstrapServers;
    private final Path logFile;
    /** The broker process, launched by this launcher or adopted. */
    private volatile ProcessHandle process;
    /** Holds a launched child's stdin open: its lifeline (see BrokerMain). */
    private volatile Process child;
    /** An adopted broker's lifeline: the control connection, held open until close(). */
    private volatile Socket adoptedLifeline;
    /**
     * Completes when an adopted broker's control connection ends: at once when it dies, where
     * waiting for a process that is not our child polls and a zombie still looks alive.
     */
    private volatile CompletableFuture<Void> lifelineEnded =
            new CompletableFuture<>();
    private volatile boolean ready;
    private volatile boolean closed;
    private final AtomicInteger restarts = new AtomicInteger();
    private Thread supervisor;

    private EmbeddedBroker(final List<String> command, final String bootstrapServers, final Path logFile) {
        this.command = command;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
    }

    private void launch() throws IOException {
        final Process started = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        child = started;
        process = started.toHandle();
        closeLifeline(); // an adopted broker's, if the one before was adopted
        adoptedLifeline = null;
    }

    /**
     * Takes over the broker a dead launcher left running on this data directory, if there is one.
     *
     * @return true when adopted; false when there is no running broker to adopt (none, a stale
     *     control file, or one that was stopping and has now exited)
     * @throws IllegalStateException when another live launcher holds the broker of this data directory
     */
    private boolean adopt(final Path controlFile, final Path dataDir) throws IOException {
        final BrokerControl control = BrokerControl.read(controlFile).orElse(null);
        if (control == null) {
            return false;
        }
        final ProcessHandle running = ProcessHandle.of(control.pid()).filter(ProcessHandle::isAlive).orElse(null);
        if (running == null) {
            return false; // that broker is gone (killed: no shutdown hook removed the file)
        }
        final Socket socket = new Socket();
        String reply = null;
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), control.port()),
                    (int) ADOPT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) ADOPT_TIMEOUT.toMillis());
            socket.getOutputStream().write((BrokerLease.ADOPT + " " + control.token() + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
        } catch (final IOException noAnswer) {
            // not a broker's control socket (pid reused) or one that is going away
        }
        if (reply != null && reply.startsWith(BrokerLease.OK + " ")) {
            socket.setSoTimeout(0);
            adoptedLifeline = socket;
            process = running;
            final CompletableFuture<Void> ended = new CompletableFuture<>();
            lifelineEnded = ended;
            final InputStream lifeline = socket.getInputStream();
            Thread.ofPlatform().daemon().name("kafka-broker-lifeline").start(() -> {
                BrokerMain.drain(lifeline); // ends when the broker dies (or our close)
                ended.complete(null);
            });
            LOG.info("adopted the running Kafka broker (pid {}) that a stopped launcher left on {}", control.pid(),
                    dataDir);
            return true;
        }
        socket.close();
        if (BrokerLease.BUSY.equals(reply)) {
            throw new IllegalStateException("another ./mailpipe up is running on " + dataDir + " (its Kafka broker is pid "
                    + control.pid() + "); stop it first or use another MAILPIPE_DATA_DIR");
        }
        final boolean broker = running.info().commandLine().map(c -> c.contains(BrokerMain.class.getName()))
                .orElse(true);
        if (broker) {
            // It is shutting down (its grace ran out): a new broker would fail on its log directory's lock.
            LOG.info("waiting for the Kafka broker that is stopping (pid {}) to exit", control.pid());
            try {
                running.onExit().get(STOPPING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (final ExecutionException | TimeoutException e) {
                throw new IllegalStateException("a Kafka broker (pid " + control.pid() + ") still runs on " + dataDir
                        + " and cannot be adopted; stop it first");
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the old Kafka broker to exit", e);
            }
        }
        return false;
    }

    private String exitDescription() {
        final Process launched = child;
        return launched != null && launched.toHandle().equals(process) ? "code " + launched.exitValue() : "adopted";
    }

    /** Waits for the child to die and starts it again, until {@link #close()}. */
    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            try {
                final ProcessHandle current = process;
                if (adoptedLifeline != null) {
                    CompletableFuture.anyOf(current.onExit(), lifelineEnded).get(); // isReady() is false from here
                    // A non-child's exit is seen by polling; give it time before a new broker takes the log dir.
                    try {
                        current.onExit().get(10, TimeUnit.SECONDS);
                    } catch (final TimeoutException stillThere) {
                        if (!closed) {
                            LOG.warn("the adopted Kafka broker (pid {}) closed its control connection but still runs; "
                                    + "killing it", current.pid());
                            current.destroyForcibly();
                        }
                    }
                } else {
                    current.onExit().get();
                }
                if (closed) {
                    return;
                }
                ready = false;
                LOG.warn("the Kafka broker exited ({}); restarting it in {} ms (see {})", exitDescription(),
                        backoff.toMillis(), logFile);
                Thread.sleep(backoff.toMillis());
                if (closed) {
                    return;
                }
                launch();
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
            } catch (final ExecutionException e) {
                return; // onExit() does not fail
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

    /** The current broker process (tests kill it). */
    ProcessHandle processHandle() {
        return process;
    }

    /** True when this launcher took over a running broker rather than starting one. */
    boolean adopted() {
        return adoptedLifeline != null;
    }

    /** {@link #start(Path, int, String, Duration)} with no orphan grace: the broker dies with its launcher. */
    public static EmbeddedBroker start(final Path dataDir, final int brokerPort, final String heap) {
        return start(dataDir, brokerPort, heap, Duration.ZERO);
    }

    /**
     * Adopts the broker a dead launcher left running on {@code dataDir}, or starts (formatting on
     * first use) a new one; returns once it answers metadata requests.
     *
     * @param brokerPort the client port on first start; 0 picks a free one
     * @param orphanGrace how long a broker this launcher starts outlives the launcher's death,
     *     waiting to be adopted
     * @throws IllegalStateException when another live launcher runs on {@code dataDir}, or the broker does not start
     */
    public static EmbeddedBroker start(final Path dataDir, final int brokerPort, final String heap,
            final Duration orphanGrace) {
        try {
            final Path kafkaDir = dataDir.resolve("kafka");
            final Path logDir = kafkaDir.resolve("log");
            Files.createDirectories(logDir);
            final Properties ports = ports(kafkaDir, brokerPort);
            final int clientPort = Integer.parseInt(ports.getProperty("broker.port"));
            final int controllerPort = Integer.parseInt(ports.getProperty("controller.port"));
            final Path config = kafkaDir.resolve("server.properties");
            final Path controlFile = kafkaDir.resolve(BrokerControl.FILE);
            final String overrides = String.join("\n", listProperty(BROKER_OVERRIDES, OVERRIDES_PROPERTY)) + "\n";
            Files.writeString(config, serverProperties(logDir, clientPort, controllerPort) + overrides, StandardCharsets.UTF_8);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config, kafkaDir.resolve("format.log"));
            }
            final Path logFile = kafkaDir.resolve("broker.log");
            final List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx" + heap));
            command.addAll(jvmFlags());
            command.addAll(List.of("-Dlog4j2.configurationFile=" + log4jConfig(kafkaDir),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", System.getProperty("java.class.path"),
                    BrokerMain.class.getName(), controlFile.toString(), Long.toString(orphanGrace.toMillis()),
                    config.toString()));
            final String bootstrap = "127.0.0.1:" + clientPort;
            final EmbeddedBroker broker = new EmbeddedBroker(List.copyOf(command), bootstrap, logFile);
            if (!broker.adopt(controlFile, dataDir)) {
                broker.launch();
            }
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
        return ready && process.isAlive() && (adoptedLifeline == null || !lifelineEnded.isDone());
    }

    /** Stops supervising and the broker (SIGTERM: Kafka's controlled shutdown), waiting up to 30 s. */
    @Override
    public void close() {
        closed = true;
        ready = false;
        if (supervisor != null) {
            supervisor.interrupt();
        }
        final ProcessHandle process = this.process;
        try {
            if (process == null || !process.isAlive()) {
                return;
            }
            process.destroy();
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (final TimeoutException e) {
                LOG.warn("Kafka broker did not stop in 30 s; killing it");
                process.destroyForcibly();
                process.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final ExecutionException | TimeoutException ignored) {
            // killed and not gone in 10 s: nothing more to do from here
        } finally {
            closeLifeline();
        }
    }

    private void closeLifeline() {
        final Socket lifeline = adoptedLifeline;
        if (lifeline != null) {
            try {
                lifeline.close();
            } catch (final IOException ignored) {
                // the broker is stopped already
            }
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
                // After a SIGKILL the restarted broker cannot register until its controller (the same
                // process, restarted with it) fences the old registration: one broker session timeout,
                // 9 s by default. 3 s took the restart from 12.6 s to 5.6 s to listening (DESIGN.md).
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=500",
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

    static List<String> jvmFlags() {
        return listProperty(JVM_FLAGS, JVM_FLAGS_PROPERTY);
    }

    private static List<String> listProperty(final List<String> defaults, final String property) {
        final List<String> flags = new ArrayList<>(defaults);
        for (final String flag : System.getProperty(property, "").split(",")) {
            if (!flag.isBlank()) {
                flags.add(flag.strip());
            }
        }
        return flags;
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

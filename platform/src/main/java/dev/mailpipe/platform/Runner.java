package dev.mailpipe.platform;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs services as a process: a Prometheus registry, the ops endpoints, a shutdown hook that
 * closes the services in reverse order. Config errors print one clear line and exit 2.
 */
public final class Runner {

    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    private Runner() {
    }

    /**
     * Reads an app's configuration for its {@code main}: on an invalid value prints one line naming
     * it and exits 2, before anything connects anywhere.
     */
    public static <C> C configOrExit(final String app, final Supplier<C> load) {
        try {
            return load.get();
        } catch (final ConfigException e) {
            System.err.println("mailpipe " + app + ": invalid configuration: " + EnvConfig.withVariable(e.getMessage()));
            System.exit(2);
            throw e; // not reached
        }
    }

    /**
     * Logs one warning per {@code MAILPIPE_*} variable that no registered app ({@link AppConfigDef})
     * defines: a typo would otherwise be silently ignored. Returns the warnings.
     */
    public static List<String> warnUnknownSettings(final Map<String, String> env) {
        final List<String> unknown = EnvConfig.unknownSettings(env, AppConfigDef.registered());
        unknown.forEach(LOG::warn);
        return unknown;
    }

    /** A fresh registry with the JVM binders every app reports. */
    public static PrometheusMeterRegistry registry() {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Starts the services built by {@code starter}, serves ops endpoints on {@code httpHost:httpPort}
     * (negative port: none) and blocks until the JVM is asked to stop.
     */
    public static void runUntilStopped(final String httpHost, final int httpPort,
            final Function<PrometheusMeterRegistry, List<MailpipeApp>> starter) {
        warnUnknownSettings(System.getenv());
        final PrometheusMeterRegistry registry = registry();
        final List<MailpipeApp> apps;
        try {
            apps = starter.apply(registry);
        } catch (final ConfigException e) {
            System.err.println("mailpipe: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        final OpsServer ops = httpPort < 0 ? null : OpsServer.start(httpHost, httpPort, registry,
                () -> true, () -> apps.stream().allMatch(MailpipeApp::isReady));
        if (ops != null) {
            LOG.info("metrics and health on http://{}:{}/metrics /healthz /readyz", httpHost, ops.port());
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = apps.size() - 1; i >= 0; i--) {
                try {
                    apps.get(i).close();
                } catch (final RuntimeException e) {
                    LOG.warn("error while stopping {}", apps.get(i).name(), e);
                }
            }
            if (ops != null) {
                ops.close();
            }
            stopped.countDown();
        }, "mailpipe-shutdown"));
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.mailpipe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What running things must not do to the tree: track bytecode, rewrite tracked benchmark results. */
class RepositoryHygieneTest {

    private static final File REPO = new File("..");

    @Test
    void shouldTrackNoPythonBytecode() throws Exception {
        assertThat(run("git", "ls-files")).noneMatch(path -> path.contains("__pycache__/") || path.endsWith(".pyc"));
        assertThat(exit("git", "check-ignore", "-q", "bench/lib/__pycache__/bench.cpython-311.pyc"))
                .as("__pycache__ is ignored").isZero();
    }

    @Test
    void shouldWriteBenchmarkResultsToTheIgnoredFolderUnlessRecording() throws Exception {
        final String script = "import sys; sys.path.insert(0, 'bench/lib'); import bench; "
                + "print(bench.default_results_dir(False, False)); print(bench.default_results_dir(False, True)); "
                + "print(bench.default_results_dir(True, True)); print(bench.default_results_dir(True, False))";
        final List<String> dirs = run("python3", "-c", script);
        assertThat(dirs.subList(0, 3)).allMatch(dir -> dir.endsWith("bench/.work/results"));
        assertThat(dirs.get(3)).endsWith("bench/results");
        assertThat(exit("git", "check-ignore", "-q", "bench/.work/results/results.csv")).as("ignored").isZero();
    }

    @Test
    void shouldKeepMeasurementTablesOutOfDesignNotes() throws Exception {
        // DESIGN.md files hold decisions and reasons; figures and A/B tables live in bench/ docs.
        for (final String path : run("git", "ls-files", "*DESIGN.md")) {
            final List<String> lines = java.nio.file.Files.readAllLines(REPO.toPath().resolve(path));
            assertThat(lines).as(path).noneMatch(line -> line.startsWith("|")
                    && line.matches(".*\\b(p50|p99|ms|emails/s|msgs/s|delivered/s)\\b.*"));
        }
    }

    private static List<String> run(final String... command) throws Exception {
        final Process process = new ProcessBuilder(command).directory(REPO).redirectErrorStream(true).start();
        final List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().toList();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
        return lines;
    }

    private static int exit(final String... command) throws Exception {
        final Process process = new ProcessBuilder(command).directory(REPO).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}

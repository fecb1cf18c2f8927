package dev.mailpipe.deliverer.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdsFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldTakeOneIdALineSkippingCommentsAndBlanks() throws Exception {
        final Path file = dir.resolve("ids.txt");
        Files.writeString(file, "# bounced on Monday\n\n  m1.abc$ann@a.test \r\n<1700000000.1234@mailpipe.test>\nm2.def\n",
                StandardCharsets.UTF_8);
        final List<String> ids = new ArrayList<>();

        assertThat(IdsFile.read(file, ids::add)).isEqualTo(3);
        assertThat(ids).containsExactly("m1.abc$ann@a.test", "1700000000.1234@mailpipe.test", "m2.def");
    }

    @Test
    void shouldRefuseALineWithTwoIdsNamingTheLine() {
        assertThat(IdsFile.parseLine("   ", 1)).isNull();
        assertThat(IdsFile.parseLine("#x y", 1)).isNull();
        assertThatThrownBy(() -> IdsFile.parseLine("m1 m2", 7)).hasMessageContaining("line 7").hasMessageContaining("m1 m2");
        assertThatThrownBy(() -> IdsFile.parseLine("<>", 2)).hasMessageContaining("line 2");
    }

    @Test
    void shouldNameTheFileThatCannotBeRead() {
        assertThatThrownBy(() -> IdsFile.read(dir.resolve("nope.txt"), id -> { }))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("--ids-file").hasMessageContaining("nope.txt");
    }
}

package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal file on its own: what survives, what a crash leaves, what compaction keeps. */
class JournalTest {

    @TempDir
    Path dir;

    @Test
    void recordsSurviveAReopenFoldedIntoTheirState() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1"));
            journal.append(Map.of("op", "device.added", "device", "0000:02:00.0", "chipset", "TU102", "revision", "0xa1"));
            journal.append(Map.of("op", "module.loaded", "module", "nova-core"));
            journal.append(Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced"));
            journal.append(Map.of("op", "device.removed", "device", "0000:02:00.0"));
        }
        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).isEmpty();
            assertThat(reopened.replay()).containsExactly(
                    Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1"),
                    Map.of("op", "module.loaded", "module", "nova-core"),
                    Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced"));
        }
    }

    @Test
    void aTornLastRecordIsDroppedAndTheFileTruncatedBeforeNewRecords() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(Map.of("op", "module.loaded", "module", "nova-core"));
        }
        Path file = dir.resolve(Journal.FILE);
        long good = Files.size(file);
        Files.writeString(file, "{\"seq\":2,\"op\":\"device.added\",\"device\":\"0000:0", StandardOpenOption.APPEND);

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).hasValueSatisfying(t -> assertThat(t).startsWith("{\"seq\":2"));
            assertThat(Files.size(file)).isEqualTo(good);
            reopened.append(Map.of("op", "module.unloaded", "module", "nova-core"));
        }
        try (var again = Journal.open(dir, 1000)) {
            assertThat(again.tornTail()).isEmpty();
            assertThat(again.replay()).containsExactly(Map.of("op", "module.unloaded", "module", "nova-core"));
        }
    }

    /** A hot-unplug is an unbind and a removal: a crash after the first must not leave it half done. */
    @Test
    void anOperationACrashCutShortIsDroppedWhole() throws Exception {
        var plugged = Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1");
        var bound = Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced");
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(plugged);
            journal.append(bound);
            journal.append(List.of(Map.of("op", "driver.unbound", "device", "0000:01:00.0", "driver", "nova-core"),
                    Map.of("op", "device.removed", "device", "0000:01:00.0")));
        }
        Path file = dir.resolve(Journal.FILE);
        var lines = Files.readAllLines(file);
        assertThat(lines.get(2)).contains("\"more\":\"true\"");
        assertThat(lines.get(3)).doesNotContain("more");
        Files.write(file, lines.subList(0, 3)); // the crash came between the operation's two writes

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.replay()).containsExactly(plugged, bound);
            assertThat(reopened.tornTail()).hasValueSatisfying(t -> assertThat(t).contains("driver.unbound"));
            assertThat(Files.readAllLines(file)).hasSize(2);
        }
    }

    @Test
    void aRecordWhoseChecksumDoesNotMatchEndsTheGoodPart() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(Map.of("op", "module.loaded", "module", "nova-core"));
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"));
        }
        Path file = dir.resolve(Journal.FILE);
        String flipped = Files.readString(file, StandardCharsets.UTF_8).replace("fenced", "fenceD");
        Files.writeString(file, flipped);

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).isPresent();
            assertThat(reopened.replay()).containsExactly(Map.of("op", "module.loaded", "module", "nova-core"));
        }
    }

    @Test
    void compactionKeepsTheStateAndBoundsTheFile() throws Exception {
        try (var journal = Journal.open(dir, 50)) {
            for (int i = 0; i < 1000; i++) {
                journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", i % 2 == 0 ? "fenced" : "revocable"));
            }
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"));
        }
        assertThat(Files.readAllLines(dir.resolve(Journal.FILE))).hasSizeLessThanOrEqualTo(50);
        try (var reopened = Journal.open(dir, 50)) {
            assertThat(reopened.replay()).containsExactly(
                    Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"));
        }
    }
}

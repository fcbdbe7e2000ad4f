package dev.novahost.journal;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.pci.Chipset;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The figures of docs/RELIABILITY.md, item 9 (not part of the suite): what an acknowledged change costs
 * in a preallocated journal (reserve, write in place, fdatasync) against an append that grows the file,
 * and how many bytes the largest operation (a reset of a full host) takes of the reserve.
 * {@code ./mvnw -q test -Dtest=JournalCostMeasurement -Dnova.measure=true [-Dnova.measure.dir=/some/disk]}.
 */
@EnabledIfSystemProperty(named = "nova.measure", matches = "true")
class JournalCostMeasurement {

    private static final int CHANGES = 2000;

    @Test
    void perChangeCostAndLargestOperation() throws Exception {
        Path where = Files.createDirectories(Path.of(System.getProperty("nova.measure.dir",
                System.getProperty("java.io.tmpdir"))));
        for (int run = 1; run <= 3; run++) {
            long[] preallocated = new long[CHANGES];
            try (var journal = Journal.open(Files.createTempDirectory(where, "preallocated"), CHANGES * 2)) {
                for (int i = 0; i < CHANGES; i++) {
                    long start = System.nanoTime();
                    journal.reserve();
                    journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy",
                            i % 2 == 0 ? "fenced" : "revocable"));
                    preallocated[i] = System.nanoTime() - start;
                }
            }
            long[] growing = new long[CHANGES];
            byte[] line = "{\"seq\":1,\"op\":\"driver.policy\",\"driver\":\"nova-core\",\"policy\":\"revocable\",\"crc\":\"baaa74c9\"}\n"
                    .getBytes(StandardCharsets.UTF_8);
            try (var file = FileChannel.open(Files.createTempDirectory(where, "growing").resolve(Journal.FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                for (int i = 0; i < CHANGES; i++) {
                    long start = System.nanoTime();
                    file.write(ByteBuffer.wrap(line));
                    file.force(false);
                    growing[i] = System.nanoTime() - start;
                }
            }
            System.out.printf("run %d on %s: preallocated change median %s p99 %s; growing append median %s p99 %s%n",
                    run, where, micros(preallocated, 50), micros(preallocated, 99), micros(growing, 50), micros(growing, 99));
        }
        Path dir = Files.createTempDirectory(where, "reset");
        try (var journal = Journal.open(dir, CHANGES)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(255, false), Clock.system(), List.of(journaling))) {
                kernel.load("nova-core");
                for (int i = 0; i < 255; i++) {
                    kernel.hotplug(Chipset.named("TU102"), Optional.empty(), 0xa1);
                }
                long before = JournalLines.end(dir.resolve(Journal.FILE));
                journaling.begin();
                kernel.reset();
                journaling.commit();
                System.out.printf("a reset of 255 bound devices: %d bytes in one operation (reserve: half a segment)%n",
                        JournalLines.end(dir.resolve(Journal.FILE)) - before);
                journaling.stopRecording();
            }
        }
    }

    private static String micros(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.0f us", sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e3);
    }
}

package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.novahost.NovaHostApplication;
import dev.novahost.config.StartRefused;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;

/**
 * Issue 13 item 10: a journal the service cannot use stops the start with one line naming the file, the
 * line when it is damaged, and what to do ({@link StartRefused}), never with a Spring trace.
 */
class JournalStartRefusedTest {

    @TempDir
    Path data;

    @Test
    void aJournalDamagedInItsMiddleRefusesTheStartNamingFileAndLineAndIsLeftUntouched() throws Exception {
        Path file = damagedJournal();
        byte[] before = Files.readAllBytes(file);

        var refused = refusal(data);
        assertThat(refused.getMessage()).isEqualTo("The journal " + file + " is damaged at line 2 (its checksum"
                + " does not match) and 1 valid records follow it, so it is not a torn tail; it was left untouched");
        assertThat(refused.action()).contains("nova.journal-recover=truncate", "before line 2");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aJournalPathThatIsAFolderRefusesTheStart() throws Exception {
        Files.createDirectories(data.resolve(Journal.FILE));
        assertThat(refusal(data).getMessage()).isEqualTo("The journal in " + data + " cannot be opened: "
                + data.resolve(Journal.FILE) + ": Is a directory");
    }

    @Test
    void aDataFolderThatIsAFileRefusesTheStart() throws Exception {
        Path notAFolder = Files.writeString(data.resolve("data"), "not a folder");
        assertThat(refusal(notAFolder).getMessage()).isEqualTo("The journal in " + notAFolder + " cannot be opened: "
                + notAFolder + " exists and is not a folder");
    }

    /** We run as root, for whom no permission bit denies a read: the disk denies it here. */
    @Test
    void anUnreadableJournalRefusesTheStart() {
        assertThat(refusal(data, DeniedDisk.class).getMessage()).isEqualTo("The journal in " + data
                + " cannot be opened: " + data.resolve(Journal.FILE) + ": permission denied");
    }

    /** A read-only data folder, for real: a tmpfs mounted read-only (needs root and mount; skipped with the reason otherwise). */
    @Test
    void aReadOnlyDataFolderRefusesTheStart() throws Exception {
        Path folder = Files.createDirectories(data.resolve("read-only"));
        var mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", folder.toString())
                .redirectErrorStream(true).start();
        boolean mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
        assumeThat(mounted).as("mount -t tmpfs -o ro is not permitted here: %s",
                new String(mount.getInputStream().readAllBytes())).isTrue();
        try {
            assertThat(refusal(folder).getMessage()).isEqualTo("The journal in " + folder + " cannot be opened: "
                    + folder.resolve(Journal.FILE) + ": Read-only file system");
        } finally {
            new ProcessBuilder("umount", folder.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The real start: exit status 1, the reason printed as one line, no trace. */
    @Test
    void aRealStartOnADamagedJournalPrintsOneLineAndExits() throws Exception {
        Path file = damagedJournal();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = data.resolveSibling(data.getFileName() + "-start.log");
        var process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NovaHostApplication.class.getName(), "--server.port=0", "--nova.data-dir=" + data,
                "--spring.main.banner-mode=off")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("APPLICATION FAILED TO START", "\nThe journal " + file + " is damaged at line 2"
                + " (its checksum does not match) and 1 valid records follow it, so it is not a torn tail; it was left"
                + " untouched\n").doesNotContain("Caused by", "\tat ");
    }

    /** Three records, the second with a changed byte. */
    private Path damagedJournal() throws Exception {
        try (var journal = Journal.open(data, 1000)) {
            journal.append(Map.of("op", "module.loaded", "module", "nova-core"));
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"));
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "revocable"));
        }
        Path file = data.resolve(Journal.FILE);
        Files.writeString(file, Files.readString(file).replaceFirst("fenced", "fenceD"));
        return file;
    }

    private static StartRefused refusal(Path dataDir, Class<?>... extraSources) {
        var sources = new ArrayList<Class<?>>(List.of(NovaHostApplication.class));
        sources.addAll(List.of(extraSources));
        var start = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new));
        var refused = new StartRefused[1];
        assertThatThrownBy(() -> start.run("--spring.main.banner-mode=off", "--server.port=0",
                "--nova.data-dir=" + dataDir, "--nova.load-nova-core=true")).satisfies(failure -> {
            Throwable cause = failure;
            while (cause != null && !(cause instanceof StartRefused)) {
                cause = cause.getCause();
            }
            assertThat(cause).as("a StartRefused in the cause chain of %s", failure).isInstanceOf(StartRefused.class);
            refused[0] = (StartRefused) cause;
        });
        return refused[0];
    }

    /** A fresh host's seed (nova-core loaded, a fleet) is acknowledged state too: on a full disk it is refused. */
    @Test
    void aFreshHostOnAFullDiskRefusesTheStartRatherThanSeedItUnrecorded() {
        var refused = refusal(data, FullDisk.class);
        assertThat(refused.getMessage()).startsWith("The fresh host's configuration could not be recorded: The journal "
                + data.resolve(Journal.FILE) + " cannot grow (No space left on device); nothing was changed.");
    }

    /** A disk with no free byte. */
    static class FullDisk {
        @Bean
        JournalFiles journalFiles() {
            var disk = new FillingDisk();
            disk.free(0);
            return disk;
        }
    }

    /** A disk that denies every open, as a file without read permission does for a user that is not root. */
    static class DeniedDisk {
        @Bean
        JournalFiles journalFiles() {
            var disk = new FillingDisk();
            disk.denyAll(true);
            return disk;
        }
    }
}

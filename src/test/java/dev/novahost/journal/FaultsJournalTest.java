package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import java.nio.file.Path;
import java.util.List;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The journal's {@code driver.faults} record names every {@link Fault} by its wire word, on or off, and
 * replay reads every one back: a fault added to the enum survives a restart. The record is byte for byte
 * the one written before faults were an enum, and such a record replays.
 */
class FaultsJournalTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultSurvivesARestart(Fault fault) throws Exception {
        var faults = Faults.of(fault);
        set(faults);

        assertThat(restart()).isEqualTo(faults);
    }

    @Test
    void allFaultsAndAProbeFailureSurviveARestart() throws Exception {
        var faults = new Faults(EnumSet.allOf(Fault.class), Optional.of(Errno.EPROBE_DEFER));
        set(faults);

        assertThat(restart()).isEqualTo(faults);
    }

    /**
     * The record as the code before the enum wrote it, field by field, for these faults. A new fault adds
     * a field here (old records, without it, replay with it off: {@link #aRecordWrittenBeforeFaultsWereAnEnumReplays}).
     */
    private static Map<String, String> todaysRecord(boolean forgetWorkCancel, boolean leakRegion, String probeFailure) {
        var record = new LinkedHashMap<String, String>();
        record.put("op", "driver.faults");
        record.put("forgetTimerCancel", "false");
        record.put("forgetWorkCancel", Boolean.toString(forgetWorkCancel));
        record.put("forgetFileDisconnect", "false");
        record.put("forgetIrqFree", "false");
        record.put("leakRegion", Boolean.toString(leakRegion));
        record.put("wrongCancelOrder", "false");
        record.put("cancelUnderLock", "false");
        record.put("cancelWorkFromItself", "false");
        record.put("flushOwnQueue", "false");
        record.put("freeIrqUnderLock", "false");
        record.put("probeFailure", probeFailure);
        return record;
    }

    @Test
    void theRecordIsTheLineWrittenBeforeFaultsWereAnEnum() throws Exception {
        set(new Faults(EnumSet.of(Fault.FORGET_WORK_CANCEL, Fault.LEAK_REGION), Optional.of(Errno.EIO)));
        var written = JournalLines.of(dir.resolve(Journal.FILE));

        Path before = dir.resolve("before");
        try (var journal = Journal.open(before, 1000)) {
            journal.append(todaysRecord(true, true, "EIO"));
        }

        assertThat(written).isEqualTo(JournalLines.of(before.resolve(Journal.FILE)));
    }

    @Test
    void aRecordWrittenBeforeFaultsWereAnEnumReplays() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(todaysRecord(false, true, "ENOMEM"));
        }

        assertThat(restart()).isEqualTo(new Faults(EnumSet.of(Fault.LEAK_REGION), Optional.of(Errno.ENOMEM)));
    }

    /** A record written before the deadlock faults (issue 16) existed replays with them off. */
    @Test
    void aRecordWrittenBeforeTheDeadlockFaultsReplaysWithThemOff() throws Exception {
        var record = todaysRecord(true, false, null);
        record.keySet().removeAll(List.of("cancelUnderLock", "cancelWorkFromItself", "flushOwnQueue", "freeIrqUnderLock"));
        record.remove("probeFailure");
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(record);
        }

        assertThat(restart()).isEqualTo(Faults.of(Fault.FORGET_WORK_CANCEL));
    }

    private void set(Faults faults) throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                kernel.setFaults(faults);
            }
        }
    }

    private Faults restart() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                return kernel.faults();
            }
        }
    }
}

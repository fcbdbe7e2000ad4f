package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.fault.RemoveOrder;
import dev.novahost.kernel.fault.RemovePreset;
import dev.novahost.kernel.fault.RemoveStep;
import java.nio.file.Path;
import java.util.List;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The journal's {@code driver.faults} record names every {@link Fault} by its wire word, on or off, and
 * replay reads every one back: a fault added to the enum survives a restart. The record is byte for byte
 * the one written before faults were an enum (then the seed in use), and such a record replays; attributes,
 * injection points and the seed survive a restart.
 */
class FaultsJournalTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultSurvivesARestart(Fault fault) throws Exception {
        var inUse = set(Faults.of(fault));

        assertThat(restart()).isEqualTo(inUse);
        assertThat(inUse.seed()).as("the seed the injector picked is journalled").isPresent();
    }

    @Test
    void allFaultsAndAProbeFailureSurviveARestart() throws Exception {
        var inUse = set(new Faults(EnumSet.allOf(Fault.class), Optional.of(Errno.EPROBE_DEFER)));

        assertThat(restart()).isEqualTo(inUse);
    }

    /** Attributes, injection points with their retval, and the seed come back as they were set (issue 17). */
    @Test
    void attributesInjectionsAndTheSeedSurviveARestart() throws Exception {
        var faults = new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, new FaultAttr(100, 1, 2, 2, 1, Optional.empty()),
                Fault.FORGET_WORK_CANCEL, new FaultAttr(50, 3, -1, 0, 2, Optional.of("0000:01:00.0"))),
                Map.of(InjectionPoint.REQUEST_IRQ, new Faults.Injection(new FaultAttr(25, 1, 1, 0, 0, Optional.empty()),
                        Errno.EINVAL)), Optional.of(Errno.EIO), OptionalLong.of(42));

        assertThat(set(faults)).isEqualTo(faults);
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
    void theRecordIsTheLineWrittenBeforeFaultsWereAnEnumAndTheSeed() throws Exception {
        set(new Faults(EnumSet.of(Fault.FORGET_WORK_CANCEL, Fault.LEAK_REGION), Optional.of(Errno.EIO)).withSeed(7));
        var written = JournalLines.of(dir.resolve(Journal.FILE));

        Path before = dir.resolve("before");
        try (var journal = Journal.open(before, 1000)) {
            var record = todaysRecord(true, true, "EIO");
            record.put("seed", "7"); // since issue 17: booleans are written as before, the seed after them
            journal.append(record);
        }

        assertThat(written).isEqualTo(JournalLines.of(before.resolve(Journal.FILE)));
    }

    @Test
    void aRecordWrittenBeforeFaultsWereAnEnumReplays() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(todaysRecord(false, true, "ENOMEM"));
        }

        var replayed = restart();
        assertThat(replayed.attrs()).isEqualTo(new Faults(EnumSet.of(Fault.LEAK_REGION), Optional.empty()).attrs());
        assertThat(replayed.probeFailure()).contains(Errno.ENOMEM);
        assertThat(replayed.inject()).isEmpty();
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

        assertThat(restart().attrs()).isEqualTo(Faults.of(Fault.FORGET_WORK_CANCEL).attrs());
    }

    /**
     * A fault's and an injection point's call site survive a restart; a record written before sites
     * existed (the same text without {@code site=}) replays with no site filter.
     */
    @Test
    void callSitesSurviveARestartAndARecordWithoutThemFiltersNone() throws Exception {
        var faults = new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, new FaultAttr(100, 1, -1, 0, 1, Optional.empty())
                        .at(CallSite.MODULE_EXIT)),
                Map.of(InjectionPoint.PCI_IOMAP, new Faults.Injection(FaultAttr.ALWAYS.at(CallSite.PROBE), Errno.ENOMEM)),
                Optional.empty(), OptionalLong.of(9));
        assertThat(set(faults)).isEqualTo(faults);
        assertThat(JournalLines.of(dir.resolve(Journal.FILE)).toString()).contains("site=module_exit");
        assertThat(restart()).isEqualTo(faults);

        var record = todaysRecord(false, false, null);
        record.remove("probeFailure");
        record.put("forgetTimerCancel", "probability=100,interval=1,times=2,space=0,verbose=1");
        try (var journal = Journal.open(dir.resolve("old"), 1000)) {
            journal.append(record);
        }
        dir = dir.resolve("old");
        assertThat(restart().attrs()).containsExactly(Map.entry(Fault.FORGET_TIMER_CANCEL,
                new FaultAttr(100, 1, 2, 0, 1, Optional.empty())));
    }

    /**
     * A written remove() order and a preset survive a restart (issue 18); the built-in order writes no
     * field, so the record of today's faults is the line it was.
     */
    @Test
    void aRemoveOrderSurvivesARestart() throws Exception {
        var written = Faults.of(Fault.LEAK_REGION).withRemove(RemoveOrder.of(List.of(RemoveStep.parse("cancel_work_sync:4"),
                RemoveStep.parse("hrtimer_cancel"), RemoveStep.parse("mutex_lock"), RemoveStep.parse("pci_iounmap"))));
        var inUse = set(written);
        assertThat(inUse.remove()).isEqualTo(written.remove());
        assertThat(JournalLines.of(dir.resolve(Journal.FILE)).toString())
                .contains("cancel_work_sync:4,hrtimer_cancel,mutex_lock,pci_iounmap");
        assertThat(restart()).isEqualTo(inUse);

        var preset = set(Faults.NONE.withRemove(RemoveOrder.of(RemovePreset.WRONG_CANCEL_ORDER)));
        assertThat(restart()).isEqualTo(preset);
        assertThat(restart().remove().preset()).contains(RemovePreset.WRONG_CANCEL_ORDER);
    }

    /** The faults in use after setting them: with the seed the injector picked when they name none. */
    private Faults set(Faults faults) throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                kernel.setFaults(faults);
                return kernel.faults();
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

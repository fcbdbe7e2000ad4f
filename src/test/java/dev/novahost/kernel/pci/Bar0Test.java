package dev.novahost.kernel.pci;

import dev.novahost.kernel.timer.TimerEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.ManualClock;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The BAR0 register model of DESIGN.md §2, read and written as the device sees it. */
class Bar0Test {

    private final ManualClock clock = new ManualClock(1_000);

    private Bar0 bar0(Chipset chipset) {
        return new Bar0(chipset, PciBus.DEFAULT_REVISION, clock);
    }

    @Nested
    class Identification {

        @ParameterizedTest
        @EnumSource(Chipset.class)
        void boot0DecodesBackToTheChipset(Chipset chipset) {
            int boot0 = bar0(chipset).read32(Bar0.NV_PMC_BOOT_0);

            int architecture = ((boot0 >>> 24) & 0x1f) | (((boot0 >>> 8) & 1) << 5);
            int implementation = (boot0 >>> 20) & 0xf;
            assertThat(architecture << 4 | implementation).as("chipset decoded from BOOT_0 0x%08x", boot0)
                    .isEqualTo(chipset.id());
            assertThat(boot0 & 0xff).as("revision in bits 7:0").isEqualTo(PciBus.DEFAULT_REVISION);
        }

        @ParameterizedTest
        @EnumSource(Chipset.class)
        void boot42AgreesWithBoot0(Chipset chipset) {
            int boot42 = bar0(chipset).read32(Bar0.NV_PMC_BOOT_42);

            int architecture = (boot42 >>> 24) & 0x3f;
            int implementation = (boot42 >>> 20) & 0xf;
            assertThat(architecture << 4 | implementation).as("chipset decoded from BOOT_42 0x%08x", boot42)
                    .isEqualTo(chipset.id());
            assertThat(boot42 & 0xfffff).as("BOOT_42 bits 19:0").isZero();
        }

        @Test
        void ga102RevisionA1ReadsTheRealRegisterValues() {
            var bar = new Bar0(Chipset.GA102, 0xa1, clock);

            assertThat(bar.read32(Bar0.NV_PMC_BOOT_0)).isEqualTo(0x172000a1);
            assertThat(bar.read32(Bar0.NV_PMC_BOOT_42)).isEqualTo(0x17200000);
        }

        @Test
        void identityRegistersAreReadOnly() {
            var bar = bar0(Chipset.GA102);

            bar.write32(Bar0.NV_PMC_BOOT_0, 0);
            bar.write32(Bar0.NV_PMC_BOOT_42, 0);

            assertThat(bar.read32(Bar0.NV_PMC_BOOT_0)).isEqualTo(0x172000a1);
            assertThat(bar.read32(Bar0.NV_PMC_BOOT_42)).isEqualTo(0x17200000);
        }
    }

    @Nested
    class PtimerRegisters {

        @Test
        void timeRegistersShowTheDeviceClock() {
            var bar = bar0(Chipset.GA102);
            clock.set(0x0000_0012_3456_789aL);

            assertThat(bar.read32(Bar0.NV_PTIMER_TIME_1)).isEqualTo(0x12);
            assertThat(bar.read32(Bar0.NV_PTIMER_TIME_0)).isEqualTo(0x3456789a);
        }

        @Test
        void timeIsMonotonicAcrossSuccessiveReadsAndLowWordWraps() {
            var bar = bar0(Chipset.GA102);
            clock.set(0xffff_0000L);
            long previous = -1;

            for (int i = 0; i < 1_000; i++) {
                long time = (Integer.toUnsignedLong(bar.read32(Bar0.NV_PTIMER_TIME_1)) << 32)
                        | Integer.toUnsignedLong(bar.read32(Bar0.NV_PTIMER_TIME_0));
                assertThat(time).isGreaterThan(previous).isEqualTo(clock.peek());
                previous = time;
                clock.advance(0x1_0001);
            }
            assertThat(previous >>> 32).as("the low word wrapped at least once").isPositive();
        }

        @Test
        void alarmRisesOnceTimePassesItAndWritingOneClearsIt() {
            var bar = bar0(Chipset.GA102);
            clock.set(0x4000_0000L);
            bar.write32(Bar0.NV_PTIMER_INTR_EN_0, 1);
            int alarm = bar.read32(Bar0.NV_PTIMER_TIME_0) + 1_000;
            bar.write32(Bar0.NV_PTIMER_ALARM_0, alarm);

            assertThat(bar.read32(Bar0.NV_PTIMER_ALARM_0)).isEqualTo(alarm);
            assertThat(bar.alarmDeadline()).isEqualTo(0x4000_0000L + 1_000);
            clock.advance(999);
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0) & 1).as("pending one ns before the alarm").isZero();

            clock.advance(2);
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0) & 1).as("pending once TIME_0 passed ALARM_0").isEqualTo(1);
            bar.write32(Bar0.NV_PTIMER_INTR_0, 0);
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0) & 1).as("writing 0 leaves it pending").isEqualTo(1);

            bar.write32(Bar0.NV_PTIMER_INTR_0, 1);
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0) & 1).as("writing 1 clears it").isZero();
            clock.advance(1_000_000);
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0) & 1).as("no second rise before the next wrap").isZero();
        }

        @Test
        void alarmStaysQuietWhileTheInterruptIsDisabled() {
            var bar = bar0(Chipset.GA102);
            bar.write32(Bar0.NV_PTIMER_ALARM_0, bar.read32(Bar0.NV_PTIMER_TIME_0) + 10);

            clock.advance(100);

            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_EN_0)).isZero();
            assertThat(bar.read32(Bar0.NV_PTIMER_INTR_0)).isZero();
            assertThat(bar.alarmDeadline()).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Nested
    class ScratchAndUnknownRegisters {

        @Test
        void everyScratchRegisterReadsBackWhatWasWritten() {
            var bar = bar0(Chipset.GA102);
            for (int offset = Bar0.SCRATCH_FIRST; offset <= Bar0.SCRATCH_LAST; offset += 4) {
                bar.write32(offset, 0x5c000000 | offset);
            }
            for (int offset = Bar0.SCRATCH_FIRST; offset <= Bar0.SCRATCH_LAST; offset += 4) {
                assertThat(bar.read32(offset)).as("scratch 0x%06x", offset).isEqualTo(0x5c000000 | offset);
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {0x000004, 0x0013fc, 0x001480, 0x009104, 0x00a000, 0x100000, Bar0.SIZE - 4})
        void otherRegistersReadBadfAndIgnoreWrites(int offset) {
            var bar = bar0(Chipset.GA102);

            bar.write32(offset, 0x12345678);

            assertThat(bar.read32(offset)).isEqualTo(Bar0.BAD_REGISTER).isEqualTo(0xbadf1100);
        }
    }

    @Nested
    class OffsetChecks {

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 0x1401, 0x9402, -4, -1, Integer.MIN_VALUE, Bar0.SIZE, Bar0.SIZE + 4,
                Bar0.SIZE - 2, Integer.MAX_VALUE, 0x7ffffffc})
        void unalignedNegativeOrOutOfRangeOffsetsAreEinval(int offset) {
            var bar = bar0(Chipset.GA102);

            assertThatThrownBy(() -> bar.read32(offset))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> bar.write32(offset, 0))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }

        @Test
        void aRegisterOffsetIsCheckedWhenMadeWithTheApisMessage() {
            assertThat(RegisterOffset.of(Bar0.SCRATCH_FIRST).value()).isEqualTo(Bar0.SCRATCH_FIRST);
            assertThatThrownBy(() -> RegisterOffset.of(2))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                    .hasMessage("BAR0 offset 0x2 is not a 4-byte aligned register inside the 16 MiB BAR (0x000000..0xfffffc)");
        }

        @Test
        void aRangeChecksItsFirstThenItsLastRegister() {
            assertThat(RegisterOffset.range(Bar0.SCRATCH_FIRST, 3)).extracting(RegisterOffset::value)
                    .containsExactly(Bar0.SCRATCH_FIRST, Bar0.SCRATCH_FIRST + 4, Bar0.SCRATCH_FIRST + 8);
            assertThatThrownBy(() -> RegisterOffset.range(2, 3)).hasMessageContaining("offset 0x2 ");
            assertThatThrownBy(() -> RegisterOffset.range(Bar0.SIZE - 8, 3)).hasMessageContaining("offset 0x1000000 ");
            assertThatThrownBy(() -> RegisterOffset.range(0, Integer.MAX_VALUE))
                    .as("the end is computed without overflowing into the BAR").hasMessageContaining("offset 0x1fffffff8 ");
        }
    }

    @Nested
    class SurpriseRemoval {

        private final PciBus bus = new PciBus(TimerEngine.realTime(clock, 1), 4);
        private final PciDevice device = bus.add(Chipset.GA102, Optional.empty(), 0xa1);

        @Test
        void afterTheLinkGoesDownEveryReadIsAllOnes() {
            var bar = device.bar0();
            bar.write32(Bar0.SCRATCH_FIRST, 42);

            bus.surpriseRemove(device);

            assertThat(device.state()).isEqualTo(DeviceState.REMOVED);
            assertThat(bar.isLinkDown()).isTrue();
            for (int offset : new int[] {Bar0.NV_PMC_BOOT_0, Bar0.NV_PMC_BOOT_42, Bar0.NV_PTIMER_TIME_0,
                    Bar0.NV_PTIMER_TIME_1, Bar0.NV_PTIMER_INTR_0, Bar0.NV_PTIMER_INTR_EN_0, Bar0.NV_PTIMER_ALARM_0,
                    Bar0.SCRATCH_FIRST, Bar0.SCRATCH_LAST, 0x004000}) {
                assertThat(bar.read32(offset)).as("offset 0x%06x", offset).isEqualTo(0xffffffff);
            }
        }

        @Test
        void afterTheLinkGoesDownWritesAreDropped() {
            var bar = device.bar0();
            bus.surpriseRemove(device);

            bar.write32(Bar0.NV_PTIMER_INTR_EN_0, 1);
            bar.write32(Bar0.NV_PTIMER_ALARM_0, 0);

            assertThat(bar.alarmDeadline()).as("the alarm was never enabled nor armed").isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void offsetsAreStillCheckedWhenTheLinkIsDown() {
            bus.surpriseRemove(device);

            assertThatThrownBy(() -> device.bar0().read32(2))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }
}

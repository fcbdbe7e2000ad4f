package dev.novahost.kernel.pci;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The device side of BAR0: 16 MiB of 32-bit MMIO registers, modelled sparsely (only the registers
 * below exist; nothing allocates 16 MiB).
 *
 * <p>Register semantics are those of DESIGN.md §2: {@code NV_PMC_BOOT_0}/{@code BOOT_42} identify the
 * chip, the PTIMER counts the device's nanoseconds, 32 scratch registers hold what is written, and every
 * other offset reads the "bad register" pattern. After a surprise removal the link is down and, as on
 * PCIe, reads complete with all ones and writes are dropped.
 *
 * <p>Thread-safety: any thread may read and write at any time. Scratch registers are atomic; the PTIMER
 * alarm registers are guarded by {@code this} (they are rarely written), and the link state is volatile.
 */
public final class Bar0 {

    public static final int SIZE = 16 << 20;

    public static final int NV_PMC_BOOT_0 = 0x000000;
    public static final int NV_PMC_BOOT_42 = 0x000a00;
    public static final int NV_PTIMER_INTR_0 = 0x009100;
    public static final int NV_PTIMER_INTR_EN_0 = 0x009140;
    public static final int NV_PTIMER_TIME_0 = 0x009400;
    public static final int NV_PTIMER_TIME_1 = 0x009410;
    public static final int NV_PTIMER_ALARM_0 = 0x009420;
    /** GSP falcon's CPU control: writing bit 1 ({@code STARTCPU}) starts the GPU's boot. */
    public static final int NV_PGSP_FALCON_CPUCTL = 0x110100;
    /** GFW boot status: bits 7:0 the boot's progress, {@code 0xff} once it is complete. */
    public static final int NV_PGC6_AON_SECURE_SCRATCH_GROUP_05 = 0x118234;
    public static final int CPUCTL_STARTCPU = 1 << 1;
    public static final int GFW_BOOT_COMPLETED = 0xff;
    /**
     * Device time from {@code STARTCPU} to boot complete, by default: none, so that a bind takes no device
     * time and the timelines (and digests) of every scenario stay as they were; {@link #setBootNs} gives a
     * device a boot that takes time.
     */
    public static final long DEFAULT_BOOT_NS = 0;
    public static final int SCRATCH_FIRST = 0x001400;
    public static final int SCRATCH_LAST = 0x00147c;

    public static final int BAD_REGISTER = 0xbadf1100;
    public static final int LINK_DOWN = 0xffffffff;

    private static final long WRAP_32 = 1L << 32;
    /** The bits a register offset may have: below 16 MiB, low two clear (SIZE is a power of two). */
    private static final long REGISTER_OFFSETS = (SIZE - 1) & ~3L;

    private final int boot0;
    private final int boot42;
    private final Clock clock;
    private volatile Runnable alarmChanged = () -> { };
    private final AtomicIntegerArray scratch = new AtomicIntegerArray((SCRATCH_LAST - SCRATCH_FIRST) / 4 + 1);
    private volatile boolean linkDown;

    /** Device time of the last {@code STARTCPU}, or -1 before the first. */
    private long bootStarted = -1;
    /** The boot started last never completes (an injected {@code read_poll_timeout}). */
    private boolean bootStalled;
    private boolean stallNextBoot;
    private long bootNs = DEFAULT_BOOT_NS;

    private int intrEnable;
    private int alarm;
    private boolean alarmPending;
    /** Device time at which TIME_0 next passes ALARM_0. */
    private long alarmDeadline = Long.MAX_VALUE;

    public Bar0(Chipset chipset, int revision, Clock clock) {
        this.boot0 = boot0(chipset, revision);
        this.boot42 = boot42(chipset);
        this.clock = clock;
    }

    /**
     * {@code NV_PMC_BOOT_0}: bits 3:0 minor revision, 7:4 major revision, 8 architecture bit 5,
     * 23:20 implementation, 28:24 architecture bits 4:0 (GA102 A1 reads {@code 0x172000a1}).
     */
    static int boot0(Chipset chipset, int revision) {
        int arch = chipset.architectureNumber();
        return ((arch & 0x1f) << 24) | (chipset.implementation() << 20) | (((arch >> 5) & 1) << 8) | (revision & 0xff);
    }

    /** {@code NV_PMC_BOOT_42}: bits 29:24 architecture, 23:20 implementation (GA102 reads {@code 0x17200000}). */
    static int boot42(Chipset chipset) {
        return ((chipset.architectureNumber() & 0x3f) << 24) | (chipset.implementation() << 20);
    }

    /** {@code EINVAL} unless the offset is a 4-byte aligned register inside the 16 MiB BAR. */
    public static void checkOffset(long offset) {
        if ((offset & ~REGISTER_OFFSETS) != 0) { // one test on every access: sign, range and alignment at once
            throw KernelException.of(Errno.EINVAL, String.format(
                    "BAR0 offset 0x%x is not a 4-byte aligned register inside the 16 MiB BAR (0x000000..0x%06x)",
                    offset, SIZE - 4));
        }
    }

    /** The register's name in NVIDIA's headers, for offsets that have one. */
    public static Optional<String> registerName(int offset) {
        return Optional.ofNullable(switch (offset) {
            case NV_PMC_BOOT_0 -> "NV_PMC_BOOT_0";
            case NV_PMC_BOOT_42 -> "NV_PMC_BOOT_42";
            case NV_PTIMER_INTR_0 -> "NV_PTIMER_INTR_0";
            case NV_PTIMER_INTR_EN_0 -> "NV_PTIMER_INTR_EN_0";
            case NV_PTIMER_TIME_0 -> "NV_PTIMER_TIME_0";
            case NV_PTIMER_TIME_1 -> "NV_PTIMER_TIME_1";
            case NV_PTIMER_ALARM_0 -> "NV_PTIMER_ALARM_0";
            case NV_PGSP_FALCON_CPUCTL -> "NV_PGSP_FALCON_CPUCTL";
            case NV_PGC6_AON_SECURE_SCRATCH_GROUP_05 -> "NV_PGC6_AON_SECURE_SCRATCH_GROUP_05";
            default -> isScratch(offset) && (offset & 3) == 0 ? "SCRATCH" : null;
        });
    }

    public int read32(int offset) {
        return read32(RegisterOffset.of(offset));
    }

    /** The register's value; the offset was checked when it was made. */
    public int read32(RegisterOffset at) {
        int offset = at.value();
        if (linkDown) {
            return LINK_DOWN;
        }
        return switch (offset) {
            case NV_PMC_BOOT_0 -> boot0;
            case NV_PMC_BOOT_42 -> boot42;
            case NV_PTIMER_TIME_0 -> (int) clock.nanoTime();
            case NV_PTIMER_TIME_1 -> (int) (clock.nanoTime() >>> 32);
            case NV_PTIMER_INTR_0 -> alarmPending() ? 1 : 0;
            case NV_PTIMER_INTR_EN_0 -> intrEnable();
            case NV_PTIMER_ALARM_0 -> alarm();
            case NV_PGSP_FALCON_CPUCTL -> 0;
            case NV_PGC6_AON_SECURE_SCRATCH_GROUP_05 -> bootStatus();
            default -> isScratch(offset) ? scratch.get(scratchIndex(offset)) : BAD_REGISTER;
        };
    }

    public void write32(int offset, int value) {
        write32(RegisterOffset.of(offset), value);
    }

    /** Writes the register; the offset was checked when it was made. */
    public void write32(RegisterOffset at, int value) {
        int offset = at.value();
        if (linkDown) {
            return;
        }
        switch (offset) {
            case NV_PTIMER_INTR_0 -> clearAlarm(value);
            case NV_PTIMER_INTR_EN_0 -> enableAlarm(value);
            case NV_PTIMER_ALARM_0 -> setAlarm(value);
            case NV_PGSP_FALCON_CPUCTL -> {
                if ((value & CPUCTL_STARTCPU) != 0) {
                    startBoot();
                }
                return;
            }
            default -> {
                if (isScratch(offset)) {
                    scratch.set(scratchIndex(offset), value);
                }
                return;
            }
        }
        alarmChanged.run();
    }

    /** Who to tell when the alarm's deadline moves (the device schedules its interrupt on it). */
    void onAlarmChanged(Runnable listener) {
        this.alarmChanged = listener;
    }

    /** The device fell off the bus (surprise removal): from now on reads are all ones, writes vanish. */
    public void linkDown() {
        linkDown = true;
    }

    public boolean isLinkDown() {
        return linkDown;
    }

    /**
     * Device time at which the PTIMER alarm next rises, or {@link Long#MAX_VALUE} while it is disabled;
     * the interrupt engine schedules on this.
     */
    public synchronized long alarmDeadline() {
        return (intrEnable & 1) != 0 ? alarmDeadline : Long.MAX_VALUE;
    }

    /** The next boot started hangs: {@code NV_PGC6_AON_SECURE_SCRATCH_GROUP_05} never reports it complete. */
    public synchronized void stallNextBoot() {
        stallNextBoot = true;
    }

    /** How much device time the boots started from now on take. */
    public synchronized void setBootNs(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a boot takes no negative time: " + nanos);
        }
        bootNs = nanos;
    }

    private synchronized void startBoot() {
        bootStarted = clock.nanoTime();
        bootStalled = stallNextBoot;
        stallNextBoot = false;
    }

    /** {@code 0xff} from the boot time after {@code STARTCPU} on, unless the boot is stalled; 0 before. */
    private synchronized int bootStatus() {
        return bootStarted >= 0 && !bootStalled && clock.nanoTime() - bootStarted >= bootNs ? GFW_BOOT_COMPLETED : 0;
    }

    private static boolean isScratch(int offset) {
        return offset >= SCRATCH_FIRST && offset <= SCRATCH_LAST;
    }

    private static int scratchIndex(int offset) {
        return (offset - SCRATCH_FIRST) >> 2;
    }

    private synchronized int intrEnable() {
        return intrEnable;
    }

    private synchronized int alarm() {
        return alarm;
    }

    /** INTR_0 bit 0 rises once TIME_0 has passed ALARM_0 while the interrupt is enabled, and stays up. */
    public synchronized boolean alarmPending() {
        if (!alarmPending && (intrEnable & 1) != 0 && clock.nanoTime() >= alarmDeadline) {
            alarmPending = true;
        }
        return alarmPending;
    }

    private synchronized void clearAlarm(int value) {
        if ((value & 1) != 0 && alarmPending()) {
            alarmPending = false;
            // TIME_0 passes the same ALARM_0 value again one 32-bit wrap later.
            long now = clock.nanoTime();
            while (alarmDeadline <= now) {
                alarmDeadline += WRAP_32;
            }
        }
    }

    private synchronized void enableAlarm(int value) {
        alarmPending();
        intrEnable = value & 1;
    }

    private synchronized void setAlarm(int value) {
        alarmPending();
        alarm = value;
        long now = clock.nanoTime();
        alarmDeadline = now + ((Integer.toUnsignedLong(value) - (now & 0xffffffffL)) & 0xffffffffL);
    }
}

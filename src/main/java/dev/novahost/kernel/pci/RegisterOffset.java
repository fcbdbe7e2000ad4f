package dev.novahost.kernel.pci;

/**
 * A BAR0 register offset that keeps {@link Bar0}'s rule: 4-byte aligned and inside the 16 MiB BAR.
 * It is checked once, when it is made ({@link #of}, {@link #range}: {@code EINVAL} otherwise); every
 * layer it then passes through (the MMIO service, the sysfs attribute, the BAR handle, the mapping, the
 * registers) takes it as proven and checks nothing again.
 *
 * <p>Immutable; compared by value.
 */
public final class RegisterOffset {

    private final int value;

    private RegisterOffset(int value) {
        this.value = value;
    }

    /** {@code EINVAL} unless {@code offset} is a register inside the BAR ({@link Bar0#checkOffset}). */
    public static RegisterOffset of(long offset) {
        Bar0.checkOffset(offset);
        return new RegisterOffset((int) offset);
    }

    /**
     * {@code count} consecutive registers from {@code first}, 4 bytes apart: the first and the last are
     * checked (in that order), which proves those in between. {@code count} must be at least one.
     */
    public static RegisterOffset[] range(int first, int count) {
        var start = of(first);
        of(first + 4L * (count - 1));
        var offsets = new RegisterOffset[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = new RegisterOffset(start.value + 4 * i);
        }
        return offsets;
    }

    public int value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RegisterOffset that && that.value == value;
    }

    @Override
    public int hashCode() {
        return value;
    }

    @Override
    public String toString() {
        return String.format("0x%06x", value);
    }
}

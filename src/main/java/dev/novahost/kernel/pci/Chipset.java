package dev.novahost.kernel.pci;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The chipsets a virtual device can be, by nova-core's {@code Chipset} numbering
 * ({@code architecture << 4 | implementation}), each with the PCI device id of a real board built on it.
 *
 * <p>{@link #supported()} is nova-core's list; the Pascal chips exist so that probe has something to
 * reject with {@code ENODEV}, as the real driver does.
 */
public enum Chipset {
    // Pascal: older than nova-core supports
    GP102(0x132, 0x1b06, false, false),
    GP104(0x134, 0x1b80, false, false),
    // Turing
    TU102(0x162, 0x1e04, true, false),
    TU104(0x164, 0x1e84, true, false),
    TU106(0x166, 0x1f02, true, false),
    TU117(0x167, 0x1f82, true, false),
    TU116(0x168, 0x2182, true, false),
    // Ampere
    GA100(0x170, 0x20b0, true, true),
    GA102(0x172, 0x2204, true, false),
    GA103(0x173, 0x2420, true, false),
    GA104(0x174, 0x2484, true, false),
    GA106(0x176, 0x2503, true, false),
    GA107(0x177, 0x25a0, true, false),
    // Hopper
    GH100(0x180, 0x2330, true, true),
    // Ada
    AD102(0x192, 0x2684, true, false),
    AD103(0x193, 0x2704, true, false),
    AD104(0x194, 0x2782, true, false),
    AD106(0x196, 0x2803, true, false),
    AD107(0x197, 0x2882, true, false),
    // Blackwell
    GB100(0x1a0, 0x2901, true, true),
    GB102(0x1a2, 0x2941, true, true),
    GB202(0x1b2, 0x2b85, true, false),
    GB203(0x1b3, 0x2c02, true, false),
    GB205(0x1b5, 0x2f04, true, false),
    GB206(0x1b6, 0x2d04, true, false),
    GB207(0x1b7, 0x2d83, true, false);

    public static final int VENDOR_NVIDIA = 0x10de;
    public static final int CLASS_VGA = 0x030000;
    public static final int CLASS_3D = 0x030200;

    private final int id;
    private final int deviceId;
    private final boolean supported;
    private final boolean computeOnly;

    Chipset(int id, int deviceId, boolean supported, boolean computeOnly) {
        this.id = id;
        this.deviceId = deviceId;
        this.supported = supported;
        this.computeOnly = computeOnly;
    }

    /** {@code architecture << 4 | implementation}, e.g. {@code 0x172} for GA102. */
    public int id() {
        return id;
    }

    public int architectureNumber() {
        return id >> 4;
    }

    public int implementation() {
        return id & 0xf;
    }

    public Architecture architecture() {
        int number = architectureNumber();
        return Arrays.stream(Architecture.values()).filter(a -> a.number() == number).findFirst().orElseThrow();
    }

    public int deviceId() {
        return deviceId;
    }

    /** Data-centre parts are 3D controllers with no display engine; the rest are VGA controllers. */
    public int classCode() {
        return computeOnly ? CLASS_3D : CLASS_VGA;
    }

    public boolean supported() {
        return supported;
    }

    /** The chipset nova-core decodes from BOOT_0, if it is one it knows. */
    public static Optional<Chipset> fromId(int id) {
        return Arrays.stream(values()).filter(c -> c.id == id).findFirst();
    }

    /** The name in any case, as the API takes it, and nothing else (no blanks); an unknown name is {@code EINVAL} listing the known ones. */
    public static Chipset named(String name) {
        if (name != null) {
            for (Chipset chipset : values()) {
                if (chipset.name().equalsIgnoreCase(name)) {
                    return chipset;
                }
            }
        }
        throw KernelException.of(Errno.EINVAL, "Unknown chipset '" + name + "'; known chipsets are "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}

package dev.novahost.kernel.pci;

/** NVIDIA GPU architectures, with the architecture number that {@code NV_PMC_BOOT_0} reports. */
public enum Architecture {
    PASCAL("Pascal", 0x13),
    TURING("Turing", 0x16),
    AMPERE("Ampere", 0x17),
    HOPPER("Hopper", 0x18),
    ADA("Ada", 0x19),
    BLACKWELL_GB10X("Blackwell", 0x1a),
    BLACKWELL_GB20X("Blackwell", 0x1b);

    private final String displayName;
    private final int number;

    Architecture(String displayName, int number) {
        this.displayName = displayName;
        this.number = number;
    }

    public String displayName() {
        return displayName;
    }

    public int number() {
        return number;
    }
}

package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.RegisterOffset;

/**
 * The {@code fenced} policy's handle: the plain mapping, no per-access check. It is safe only because
 * a correct {@code remove()} stops every user before the mapping is torn down; a user that slips
 * through reaches an unmapped BAR.
 */
public final class FencedBar implements BarHandle {

    private final IoMapping mapping;

    FencedBar(IoMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public Policy policy() {
        return Policy.FENCED;
    }

    @Override
    public int read32(RegisterOffset at) {
        return mapping.read32(at);
    }

    @Override
    public void write32(RegisterOffset at, int value) {
        mapping.write32(at, value);
    }

    @Override
    public IoMapping access(BoundDevice bound) {
        return mapping.access(bound);
    }

    @Override
    public void iounmap() {
        mapping.unmap();
    }
}

package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.History;
import dev.novahost.kernel.module.ModuleText;

/**
 * The driver's MMIO attribute (as debugfs/sysfs would expose it), through which the HTTP API reads and
 * writes registers: an object only so that a refused access can be reported against it.
 */
record SysfsMmio(NovaDevice owner) implements DriverObject {

    @Override
    public String name() {
        return "mmio " + owner.address();
    }

    @Override
    public Scope scope() {
        return Scope.DEVICE;
    }

    @Override
    public ModuleText text() {
        return owner.text();
    }

    @Override
    public History history() {
        return owner.history();
    }
}

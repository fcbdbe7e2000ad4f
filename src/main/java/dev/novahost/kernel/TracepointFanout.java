package dev.novahost.kernel;

import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.pci.PciDevice;
import java.util.List;
import java.util.Optional;

/** Several observers on the same tracepoints (metrics and the journal), called in order. */
public final class TracepointFanout implements Tracepoints {

    private final List<Tracepoints> observers;

    public TracepointFanout(List<Tracepoints> observers) {
        this.observers = List.copyOf(observers);
    }

    @Override
    public void deviceAdded(PciDevice device) {
        observers.forEach(o -> o.deviceAdded(device));
    }

    @Override
    public void deviceRemoved(PciDevice device) {
        observers.forEach(o -> o.deviceRemoved(device));
    }

    @Override
    public void probeFinished(PciDevice device, String driver, Optional<Errno> errno) {
        observers.forEach(o -> o.probeFinished(device, driver, errno));
    }

    @Override
    public void devresReleased(PciDevice device, String resource) {
        observers.forEach(o -> o.devresReleased(device, resource));
    }

    @Override
    public void unbindFinished(PciDevice device, String driver, long nanos) {
        observers.forEach(o -> o.unbindFinished(device, driver, nanos));
    }

    @Override
    public void revokeWaited(long nanos) {
        observers.forEach(o -> o.revokeWaited(nanos));
    }

    @Override
    public void bound(PciDevice device, String driver, Policy policy) {
        observers.forEach(o -> o.bound(device, driver, policy));
    }

    @Override
    public void surpriseRemoved(PciDevice device) {
        observers.forEach(o -> o.surpriseRemoved(device));
    }

    @Override
    public void moduleLoaded(String module) {
        observers.forEach(o -> o.moduleLoaded(module));
    }

    @Override
    public void moduleUnloaded(String module) {
        observers.forEach(o -> o.moduleUnloaded(module));
    }

    @Override
    public void policyChanged(String driver, Policy policy) {
        observers.forEach(o -> o.policyChanged(driver, policy));
    }

    @Override
    public void faultsChanged(Faults faults) {
        observers.forEach(o -> o.faultsChanged(faults));
    }
}

package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Faults;
import java.util.Arrays;
import java.util.Optional;

/**
 * The bugs injected into nova-core's remove() and probe. As a request every field is optional: what
 * is left out is off. {@code probeFailure} names the errno probe fails with, or is null.
 */
record FaultsView(Boolean forgetTimerCancel, Boolean forgetWorkCancel, Boolean forgetFileDisconnect,
                  Boolean forgetIrqFree, Boolean leakRegion, Boolean wrongCancelOrder, String probeFailure) {

    static FaultsView of(Faults faults) {
        return new FaultsView(faults.forgetTimerCancel(), faults.forgetWorkCancel(), faults.forgetFileDisconnect(),
                faults.forgetIrqFree(), faults.leakRegion(), faults.wrongCancelOrder(),
                faults.probeFailure().map(Enum::name).orElse(null));
    }

    Faults toFaults() {
        return new Faults(on(forgetTimerCancel), on(forgetWorkCancel), on(forgetFileDisconnect), on(forgetIrqFree),
                on(leakRegion), on(wrongCancelOrder), Optional.ofNullable(probeFailure).map(FaultsView::errno));
    }

    private static boolean on(Boolean flag) {
        return Boolean.TRUE.equals(flag);
    }

    /** The errno's name exactly as Linux spells it, upper case ({@code openapi.yaml}: {@code eio} is a 400). */
    private static Errno errno(String name) {
        return Arrays.stream(Errno.values()).filter(errno -> errno.name().equals(name)).findFirst()
                .orElseThrow(() -> KernelException.of(Errno.EINVAL,
                        "probeFailure '" + name + "' is not an errno name (e.g. EIO, ENOMEM, EPROBE_DEFER)"));
    }
}

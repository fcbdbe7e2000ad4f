package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import java.util.Arrays;
import java.util.Optional;

/**
 * The bugs injected into nova-core's remove() and probe. As a request every field is optional: what
 * is left out is off. {@code probeFailure} names the errno probe fails with, or is null.
 *
 * <p>One component per {@link Fault}, named by its wire word, so that Jackson's strict rules (unknown
 * fields, booleans only) and {@code openapi.yaml}'s schema apply to it as to every other body. The
 * components are tied to the enum in one place each: {@link #of} takes them in declaration order, and
 * {@link #flag} is an exhaustive switch, so a new {@link Fault} does not compile until it has its field
 * ({@code FaultsApiTest} checks the names and order against the enum and {@code openapi.yaml}).
 */
record FaultsView(Boolean forgetTimerCancel, Boolean forgetWorkCancel, Boolean forgetFileDisconnect,
                  Boolean forgetIrqFree, Boolean leakRegion, Boolean wrongCancelOrder, Boolean cancelUnderLock,
                  Boolean cancelWorkFromItself, Boolean flushOwnQueue, Boolean freeIrqUnderLock, String probeFailure) {

    static FaultsView of(Faults faults) {
        return new FaultsView(faults.has(Fault.FORGET_TIMER_CANCEL), faults.has(Fault.FORGET_WORK_CANCEL),
                faults.has(Fault.FORGET_FILE_DISCONNECT), faults.has(Fault.FORGET_IRQ_FREE),
                faults.has(Fault.LEAK_REGION), faults.has(Fault.WRONG_CANCEL_ORDER),
                faults.has(Fault.CANCEL_UNDER_LOCK), faults.has(Fault.CANCEL_WORK_FROM_ITSELF),
                faults.has(Fault.FLUSH_OWN_QUEUE), faults.has(Fault.FREE_IRQ_UNDER_LOCK),
                faults.probeFailure().map(Enum::name).orElse(null));
    }

    Faults toFaults() {
        return Faults.where(fault -> Boolean.TRUE.equals(flag(fault)),
                Optional.ofNullable(probeFailure).map(FaultsView::errno));
    }

    private Boolean flag(Fault fault) {
        return switch (fault) {
            case FORGET_TIMER_CANCEL -> forgetTimerCancel;
            case FORGET_WORK_CANCEL -> forgetWorkCancel;
            case FORGET_FILE_DISCONNECT -> forgetFileDisconnect;
            case FORGET_IRQ_FREE -> forgetIrqFree;
            case LEAK_REGION -> leakRegion;
            case WRONG_CANCEL_ORDER -> wrongCancelOrder;
            case CANCEL_UNDER_LOCK -> cancelUnderLock;
            case CANCEL_WORK_FROM_ITSELF -> cancelWorkFromItself;
            case FLUSH_OWN_QUEUE -> flushOwnQueue;
            case FREE_IRQ_UNDER_LOCK -> freeIrqUnderLock;
        };
    }

    /** The errno's name exactly as Linux spells it, upper case ({@code openapi.yaml}: {@code eio} is a 400). */
    private static Errno errno(String name) {
        return Arrays.stream(Errno.values()).filter(errno -> errno.name().equals(name)).findFirst()
                .orElseThrow(() -> KernelException.of(Errno.EINVAL,
                        "probeFailure '" + name + "' is not an errno name (e.g. EIO, ENOMEM, EPROBE_DEFER)"));
    }
}

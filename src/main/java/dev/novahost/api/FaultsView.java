package dev.novahost.api;

import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.FaultsWire;
import java.util.LinkedHashMap;
import java.util.OptionalLong;

/**
 * The bugs injected into nova-core's remove() and probe, in {@link FaultsWire}'s shape. As a request every
 * field is optional: a fault left out is off; each is {@code true}, {@code false} or an object of
 * attributes ({@code probability, interval, times, space, verbose, device, site}; left out: {@code true}'s).
 * {@code probeFailure} names the errno probe fails with, or is null; {@code seed} where the injector's
 * choices start (read back: the seed in use); {@code inject} the injection points that fail, by word;
 * {@code remove} the order of remove()'s steps, a list of step words or a preset's name (read back: the
 * list, {@code []} for the built-in order, or the preset's name).
 *
 * <p>One component per {@link Fault}, named by its wire word, so that Jackson's strict rules (unknown
 * fields) and {@code openapi.yaml}'s schema apply to it as to every other body; the values are read by
 * {@link FaultsWire}, whose errors are {@code EINVAL}. {@link #of} and {@link #flag} are exhaustive, so a
 * new {@link Fault} does not compile until it has its field ({@code FaultsApiTest} checks the names and
 * order against the enum and {@code openapi.yaml}).
 */
record FaultsView(Object forgetTimerCancel, Object forgetWorkCancel, Object forgetFileDisconnect,
                  Object forgetIrqFree, Object leakRegion, Object wrongCancelOrder, Object cancelUnderLock,
                  Object cancelWorkFromItself, Object flushOwnQueue, Object freeIrqUnderLock, Object probeFailure,
                  Object seed, Object inject, Object remove) {

    static FaultsView of(Faults faults) {
        var w = FaultsWire.write(faults);
        return new FaultsView(w.get("forgetTimerCancel"), w.get("forgetWorkCancel"), w.get("forgetFileDisconnect"),
                w.get("forgetIrqFree"), w.get("leakRegion"), w.get("wrongCancelOrder"), w.get("cancelUnderLock"),
                w.get("cancelWorkFromItself"), w.get("flushOwnQueue"), w.get("freeIrqUnderLock"),
                w.get("probeFailure"), w.get("seed"), w.get("inject"), w.get("remove"));
    }

    Faults toFaults() {
        var body = new LinkedHashMap<String, Object>();
        for (Fault fault : Fault.values()) {
            body.put(fault.word(), flag(fault));
        }
        body.put("probeFailure", probeFailure);
        body.put("seed", seed);
        body.put("inject", inject);
        body.put("remove", remove);
        return FaultsWire.read(body, OptionalLong.empty());
    }

    private Object flag(Fault fault) {
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
}

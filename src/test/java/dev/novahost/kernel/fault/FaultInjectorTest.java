package dev.novahost.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code should_fail()}'s decisions in the kernel's order, seeded sequences, and fail-nth. */
class FaultInjectorTest {

    private static final String GPU = "0000:01:00.0";
    /** A call from no named site: only a fault without a {@code site} filter may fire there. */
    private static final CallSite NO_SITE = null;
    private final List<FaultInjector.Injected> reports = new ArrayList<>();
    private final FaultInjector injector = new FaultInjector(reports::add);

    private Faults forgetTimerCancel(FaultAttr attr, long seed) {
        return new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, attr), Map.of(), Optional.empty(), OptionalLong.of(seed));
    }

    private List<Boolean> calls(int n, String device) {
        return IntStream.range(0, n).mapToObj(i -> injector.fires(Fault.FORGET_TIMER_CANCEL, NO_SITE, device, "timer " + i)).toList();
    }

    @Test
    void theBooleanOfOldFiresOnEveryCall() {
        injector.configure(Faults.of(Fault.FORGET_TIMER_CANCEL));
        assertThat(calls(5, GPU)).containsOnly(true);
        assertThat(injector.fires(Fault.FORGET_WORK_CANCEL, NO_SITE, GPU, "work 1")).isFalse();
        assertThat(injector.injected("forgetTimerCancel")).isEqualTo(5);
    }

    @Test
    void forgetsTheThirdCancelTwice() {
        injector.configure(forgetTimerCancel(new FaultAttr(100, 1, 2, 2, 1, Optional.empty()), 1));
        assertThat(calls(6, GPU)).containsExactly(false, false, true, true, false, false);
        assertThat(reports).extracting(FaultInjector.Injected::where).containsExactly("timer 2", "timer 3");
    }

    @Test
    void intervalLetsOnlyEveryNthEligibleCallFail() {
        injector.configure(forgetTimerCancel(new FaultAttr(100, 3, -1, 0, 0, Optional.empty()), 1));
        assertThat(calls(7, GPU)).containsExactly(false, false, true, false, false, true, false);
    }

    @Test
    void theDeviceFilterMakesOtherDevicesIneligibleWithoutCountingThem() {
        injector.configure(forgetTimerCancel(new FaultAttr(100, 1, 1, 1, 0, Optional.of(GPU)), 1));
        assertThat(calls(3, "0000:02:00.0")).containsOnly(false);
        assertThat(calls(3, GPU)).containsExactly(false, true, false);
    }

    @Test
    void aSeedRepeatsTheSameChoicesAndAnotherSeedMakesOthers() {
        var attr = new FaultAttr(50, 1, -1, 0, 0, Optional.empty());
        injector.configure(forgetTimerCancel(attr, 42));
        var first = calls(64, GPU);
        injector.configure(forgetTimerCancel(attr, 42));
        assertThat(calls(64, GPU)).isEqualTo(first);
        assertThat(first).contains(true, false);
        injector.configure(forgetTimerCancel(attr, 43));
        assertThat(calls(64, GPU)).isNotEqualTo(first);
    }

    @Test
    void withoutASeedOneIsPickedAndSaid() {
        var configured = injector.configure(Faults.of(Fault.LEAK_REGION));
        assertThat(configured.seed()).isPresent();
        assertThat(configured.withSeed(0).attrs()).isEqualTo(Faults.of(Fault.LEAK_REGION).attrs());
    }

    @Test
    void anInjectionPointFailsWithItsRetval() {
        injector.configure(new Faults(Map.of(), Map.of(InjectionPoint.REQUEST_IRQ,
                new Faults.Injection(FaultAttr.ALWAYS, Errno.EINVAL)), Optional.empty(), OptionalLong.of(1)));
        assertThat(injector.fail(InjectionPoint.REQUEST_IRQ, CallSite.PROBE, GPU)).contains(Errno.EINVAL);
        assertThat(injector.fail(InjectionPoint.PCI_IOMAP, CallSite.PROBE, GPU)).isEmpty();
        assertThat(reports).singleElement().satisfies(r -> assertThat(r.errno()).contains(Errno.EINVAL));
    }

    @Test
    void aRetvalTheRealCallNeverReturnsIsRefused() {
        assertThatThrownBy(() -> new Faults(Map.of(), Map.of(InjectionPoint.PCI_IOMAP,
                new Faults.Injection(FaultAttr.ALWAYS, Errno.EBUSY)), Optional.empty(), OptionalLong.empty()))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> new FaultAttr(101, 1, -1, 0, 1, Optional.empty())).isInstanceOf(KernelException.class);
    }

    @Test
    void failNthFailsExactlyTheNthFallibleCallOfThisThread() {
        injector.configure(Faults.NONE);
        try (var nth = injector.failNth(2)) {
            assertThat(injector.fail(InjectionPoint.PCI_ENABLE_DEVICE, CallSite.PROBE, GPU)).isEmpty();
            assertThat(injector.fail(InjectionPoint.PCI_REQUEST_REGION, CallSite.PROBE, GPU)).contains(Errno.EBUSY);
            assertThat(injector.fail(InjectionPoint.PCI_IOMAP, CallSite.PROBE, GPU)).isEmpty();
            assertThat(nth.failed()).contains(InjectionPoint.PCI_REQUEST_REGION);
        }
        try (var nth = injector.failNth(5)) {
            injector.fail(InjectionPoint.PCI_ENABLE_DEVICE, CallSite.PROBE, GPU);
            assertThat(nth.failed()).isEmpty(); // fewer calls than n: the walk is over
        }
        assertThat(injector.fail(InjectionPoint.PCI_REQUEST_REGION, CallSite.PROBE, GPU)).isEmpty();
    }

    /** Counts are kept by fault and the call it hit: nova_fault_injections_total's labels, every key known up front. */
    @Test
    void injectionsAreCountedByFaultAndPoint() {
        injector.configure(new Faults(Map.of(Fault.FORGET_WORK_CANCEL, FaultAttr.ALWAYS),
                Map.of(InjectionPoint.PCI_IOMAP, new Faults.Injection(FaultAttr.ALWAYS, Errno.ENOMEM)),
                Optional.empty(), OptionalLong.of(1)));
        injector.fires(Fault.FORGET_WORK_CANCEL, NO_SITE, GPU, "cancel_work_sync(work 1)");
        injector.fail(InjectionPoint.PCI_IOMAP, CallSite.PROBE, GPU);
        try (var nth = injector.failNth(1)) {
            injector.fail(InjectionPoint.KZALLOC, CallSite.PROBE, GPU);
        }

        assertThat(injector.injections()).containsOnly(
                Map.entry(new FaultInjector.Key("forgetWorkCancel", "cancel_work_sync"), 1L),
                Map.entry(new FaultInjector.Key(FaultInjector.FAIL_FUNCTION, "pci_iomap"), 1L),
                Map.entry(new FaultInjector.Key(FaultInjector.FAIL_NTH, "kzalloc"), 1L));
        assertThat(injector.injected("pci_iomap")).isEqualTo(1);
        assertThat(injector.injected(FaultInjector.FAIL_NTH)).isEqualTo(1);
        assertThat(FaultInjector.keys()).containsAll(injector.injections().keySet())
                .hasSize(Fault.values().length + 2 * InjectionPoint.values().length);
    }

    /** A reporter of the caller's own hears the injection instead of the injector's (the object's timeline). */
    @Test
    void aCallSiteMayTellTheInjectionToAReporterOfItsOwn() {
        injector.configure(Faults.of(Fault.FORGET_TIMER_CANCEL));
        var told = new ArrayList<FaultInjector.Injected>();

        assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, NO_SITE, GPU, "hrtimer_cancel(timer 1)", told::add)).isTrue();
        assertThat(told).extracting(FaultInjector.Injected::where).containsExactly("hrtimer_cancel(timer 1)");
        assertThat(reports).isEmpty();
    }
}

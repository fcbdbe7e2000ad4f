package dev.novahost.kernel.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The {@code site} attribute (issue 17): a call from another site is not eligible and counts nowhere (it
 * consumes no {@code space}, {@code times} or draw), like the device filter; it goes through the wire
 * shape and the journal text, and text written before it filters no site.
 */
class CallSiteTest {

    private static final String GPU = "0000:01:00.0";

    private static FaultInjector injector(Faults faults) {
        var injector = new FaultInjector(injected -> { });
        injector.configure(faults.withSeed(1));
        return injector;
    }

    @Test
    void aCallFromAnotherSiteCountsNowhere() {
        var attr = new FaultAttr(100, 1, 1, 1, 1, Optional.empty()).at(CallSite.MODULE_EXIT); // pass one, fail one
        var injector = injector(new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, attr), Map.of(), Optional.empty(),
                OptionalLong.empty()));

        for (int i = 0; i < 5; i++) {
            assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, CallSite.REMOVE, GPU, "t")).isFalse();
        }
        assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, null, GPU, "t")).as("no named site").isFalse();
        assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, CallSite.MODULE_EXIT, GPU, "t")).as("space 1").isFalse();
        assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, CallSite.MODULE_EXIT, GPU, "t")).isTrue();
        assertThat(injector.fires(Fault.FORGET_TIMER_CANCEL, CallSite.MODULE_EXIT, GPU, "t")).as("times 1").isFalse();
    }

    @Test
    void anInjectionPointWithASiteFailsOnlyThere() {
        var injector = injector(new Faults(Map.of(), Map.of(InjectionPoint.PCI_IOMAP,
                new Faults.Injection(FaultAttr.ALWAYS.at(CallSite.REMOVE), Errno.ENOMEM)), Optional.empty(),
                OptionalLong.empty()));

        assertThat(injector.fail(InjectionPoint.PCI_IOMAP, CallSite.PROBE, GPU)).isEmpty();
        assertThat(injector.fail(InjectionPoint.PCI_IOMAP, CallSite.REMOVE, GPU)).contains(Errno.ENOMEM);
    }

    @Test
    void aSiteIsOnTheWireAndInTheJournalTextAndLeftOutItFiltersNone() {
        var faults = FaultsWire.read(Map.of("forgetTimerCancel", Map.of("site", "module_exit"),
                "inject", Map.of("pci_iomap", Map.of("retval", "ENOMEM", "site", "probe"))), OptionalLong.of(3));

        assertThat(faults.attrs().get(Fault.FORGET_TIMER_CANCEL)).isEqualTo(FaultAttr.ALWAYS.at(CallSite.MODULE_EXIT));
        assertThat(faults.inject().get(InjectionPoint.PCI_IOMAP).attr().site()).contains(CallSite.PROBE);
        @SuppressWarnings("unchecked")
        var written = (Map<String, Object>) FaultsWire.write(faults).get("forgetTimerCancel");
        assertThat(written).containsEntry("site", "module_exit");
        assertThat(FaultsWire.read(FaultsWire.write(faults), OptionalLong.empty())).isEqualTo(faults);

        var attr = faults.attrs().get(Fault.FORGET_TIMER_CANCEL);
        assertThat(FaultsWire.attrText(attr)).endsWith(",site=module_exit");
        assertThat(FaultsWire.attrOfText(FaultsWire.attrText(attr))).isEqualTo(attr);
        var injection = faults.inject().get(InjectionPoint.PCI_IOMAP);
        assertThat(FaultsWire.injectionOfText(InjectionPoint.PCI_IOMAP, FaultsWire.injectionText(injection)))
                .isEqualTo(injection);
        assertThat(FaultsWire.attrOfText("probability=100,interval=1,times=-1,space=0,verbose=1"))
                .as("text written before sites").isEqualTo(FaultAttr.ALWAYS);
        assertThat(FaultsWire.value(FaultAttr.ALWAYS)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void anUnknownSiteIsEinvalNamingTheSites() {
        for (Object bad : List.of("exit", 3)) {
            assertThatThrownBy(() -> FaultsWire.read(Map.of("forgetTimerCancel", Map.of("site", bad)), OptionalLong.empty()))
                    .isInstanceOf(KernelException.class)
                    .hasMessageContaining("forgetTimerCancel.site is one of [probe, remove, module_exit, callback]")
                    .extracting(e -> ((KernelException) e).errno()).isEqualTo(Errno.EINVAL);
        }
    }
}

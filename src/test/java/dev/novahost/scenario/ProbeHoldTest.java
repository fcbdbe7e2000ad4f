package dev.novahost.scenario;

import dev.novahost.kernel.Policy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProbeHoldTest {
    private static final String GPU = "0000:01:00.0";
    @Test
    void probe() {
        var runner = new ScenarioRunner();
        for (String point : new String[] {"devres:driver data", "devres:pci_iomap BAR0"}) {
            for (Policy policy : Policy.values()) {
                var sc = Scenario.parse(("{'name':'p','steps':["
                        + "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'},"
                        + "{'op':'set-faults','faults':{'forgetTimerCancel':true}},"
                        + "{'op':'load'},"
                        + "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,'action':'touch-bar','as':'t'},"
                        + "{'op':'unbind','device':'" + GPU + "','pauseAt':'" + point + "'},"
                        + "{'op':'advance','ns':1500000},"
                        + "{'op':'resume'},"
                        + "{'op':'advance','ns':3000000}"
                        + "]}").replace('\'', '"'));
                var r = runner.run(sc, Optional.of(policy));
                System.out.println("=== " + point + " " + policy);
                r.steps().forEach(s -> System.out.println("  " + s));
                r.events().forEach(e -> System.out.println("    " + e.type() + " " + e.message()));
                r.violations().forEach(v -> System.out.println("  V " + v.kind() + "/" + v.outcome() + " x" + v.count()));
            }
        }
    }
}

package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.fault.Fault;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A scenario's {@code set-faults} takes every {@link Fault} by its wire word, and the run injects it. */
class ScenarioFaultsTest {

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultIsTakenByItsWordAndInjected(Fault fault) {
        var scenario = Scenario.parse("{\"name\": \"faults\", \"steps\": ["
                + "{\"op\":\"set-faults\",\"faults\":{\"" + fault.word() + "\":true,\"probeFailure\":null}},"
                + "{\"op\":\"set-faults\",\"faults\":{\"" + fault.word() + "\":false}}]}");

        var run = new ScenarioRunner().run(scenario, Optional.empty());

        assertThat(run.events()).filteredOn(e -> e.type().equals("driver.faults"))
                .extracting(ScenarioResult.Event::message)
                .containsExactly("nova-core: injected faults now " + fault.word(), "nova-core: injected faults now none");
    }
}

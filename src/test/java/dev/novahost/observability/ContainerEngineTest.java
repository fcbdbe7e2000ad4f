package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link ContainerEngine}'s three answers: run, skip with the reason, or fail because CI must run them. */
class ContainerEngineTest {

    private static final Optional<String> NO_ENGINE = Optional.of("Could not find a valid Docker environment");

    @Test
    void anEngineRunsTheTestsInCiAndOutside() {
        assertThat(ContainerEngine.decide(Optional.empty(), Map.of()).isDisabled()).isFalse();
        assertThatCode(() -> ContainerEngine.requireInCi(Optional.empty(), Map.of("CI", "true"))).doesNotThrowAnyException();
    }

    @Test
    void noEngineOnADeveloperMachineSkipsWithTheReason() {
        var result = ContainerEngine.decide(NO_ENGINE, Map.of());
        assertThat(result.isDisabled()).isTrue();
        assertThat(result.getReason()).hasValueSatisfying(reason ->
                assertThat(reason).contains("Could not find a valid Docker environment", "scripts/container-engine.sh"));
        assertThat(ContainerEngine.decide(NO_ENGINE, Map.of("CI", "false")).isDisabled()).isTrue();
    }

    @Test
    void noEngineInCiFailsInsteadOfSkipping() {
        assertThat(ContainerEngine.decide(NO_ENGINE, Map.of("CI", "true")).isDisabled()).isFalse();
        assertThatThrownBy(() -> ContainerEngine.requireInCi(NO_ENGINE, Map.of("CI", "true")))
                .hasMessageContaining("CI is set, so the container tests must run")
                .hasMessageContaining("Could not find a valid Docker environment");
    }
}

package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.fault.Fault;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.web.servlet.ResultActions;

/**
 * GET/PUT /api/v1/drivers/nova-core/faults speak every {@link Fault} by its wire word: a fault added to
 * the enum is a field of the view (or this test fails), with the contract's strict rules for bodies.
 */
class FaultsApiTest extends ApiTest {

    private static final String FAULTS = "/api/v1/drivers/nova-core/faults";

    /** The view's fields are the faults' words, in declaration order, then probeFailure: the JSON shape. */
    @Test
    void theViewHasOneFieldPerFaultNamedByItsWord() {
        var fields = Arrays.stream(FaultsView.class.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList();
        var expected = new ArrayList<>(Fault.words());
        expected.add("probeFailure");
        assertThat(fields).isEqualTo(expected);
    }

    /**
     * The contract names the same fields, in both directions (the request validator does not hold a
     * response to {@code additionalProperties: false}, so a field missing from the schema would pass).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Faults", "FaultsRequest"})
    void theContractsSchemaHasOneFieldPerFault(String schema) {
        var spec = new OpenAPIV3Parser().read(Path.of("openapi.yaml").toAbsolutePath().toUri().toString());
        var expected = new ArrayList<>(Fault.words());
        expected.add("probeFailure");
        assertThat(spec.getComponents().getSchemas().get(schema).getProperties().keySet())
                .containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void eachFaultIsSetAndReadBackByItsWordAlone(Fault fault) throws Exception {
        expectOnly(putJson(FAULTS, "{\"" + fault.word() + "\":true}").andExpect(status().isOk()), Optional.of(fault));
        expectOnly(getJson(FAULTS).andExpect(status().isOk()), Optional.of(fault));

        expectOnly(putJson(FAULTS, "{\"" + fault.word() + "\":false}").andExpect(status().isOk()), Optional.empty());
    }

    @Test
    void allFaultsAtOnceWithAProbeFailure() throws Exception {
        String body = Stream.concat(Fault.words().stream().map(word -> "\"" + word + "\":true"),
                Stream.of("\"probeFailure\":\"EIO\"")).reduce((a, b) -> a + "," + b).orElseThrow();
        var answer = putJson(FAULTS, "{" + body + "}").andExpect(status().isOk())
                .andExpect(jsonPath("$.probeFailure").value("EIO"));
        for (Fault fault : Fault.values()) {
            answer.andExpect(jsonPath("$." + fault.word()).value(true));
        }
    }

    private static void expectOnly(ResultActions answer, Optional<Fault> on) throws Exception {
        for (Fault fault : Fault.values()) {
            answer.andExpect(jsonPath("$." + fault.word()).value(on.equals(Optional.of(fault))));
        }
        answer.andExpect(jsonPath("$.probeFailure").isEmpty());
    }
}

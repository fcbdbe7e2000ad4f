package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.fault.Fault;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.MediaType;
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
        expected.addAll(List.of("probeFailure", "seed", "inject", "remove"));
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
        expected.addAll(List.of("probeFailure", "seed", "inject", "remove"));
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

    /** Attributes are read back as given (left out: true's), with the seed; true stays true. */
    @Test
    void attributesAndTheSeedAreSetAndReadBack() throws Exception {
        putJson(FAULTS, "{\"forgetTimerCancel\":{\"space\":2,\"times\":2},\"leakRegion\":true,"
                + "\"forgetWorkCancel\":{\"probability\":50,\"interval\":3,\"verbose\":2,\"device\":\"0000:01:00.0\"},"
                + "\"seed\":42}").andExpect(status().isOk());
        getJson(FAULTS).andExpect(status().isOk())
                .andExpect(jsonPath("$.forgetTimerCancel.probability").value(100))
                .andExpect(jsonPath("$.forgetTimerCancel.interval").value(1))
                .andExpect(jsonPath("$.forgetTimerCancel.times").value(2))
                .andExpect(jsonPath("$.forgetTimerCancel.space").value(2))
                .andExpect(jsonPath("$.forgetTimerCancel.verbose").value(1))
                .andExpect(jsonPath("$.forgetTimerCancel.device").doesNotExist())
                .andExpect(jsonPath("$.forgetWorkCancel.probability").value(50))
                .andExpect(jsonPath("$.forgetWorkCancel.interval").value(3))
                .andExpect(jsonPath("$.forgetWorkCancel.verbose").value(2))
                .andExpect(jsonPath("$.forgetWorkCancel.device").value("0000:01:00.0"))
                .andExpect(jsonPath("$.leakRegion").value(true))
                .andExpect(jsonPath("$.forgetIrqFree").value(false))
                .andExpect(jsonPath("$.seed").value(42))
                .andExpect(jsonPath("$.inject").isMap());
    }

    /** Without a seed the injector picks one and says it, below 2^53 (a JavaScript number holds it exactly). */
    @Test
    void withoutASeedTheSeedInUseIsSaid() throws Exception {
        var body = putJson(FAULTS, "{\"forgetTimerCancel\":true}").andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        long seed = Long.parseLong(body.replaceAll(".*\"seed\":(-?[0-9]+).*", "$1"));
        assertThat(seed).isBetween(0L, 1L << 53);
        getJson(FAULTS).andExpect(jsonPath("$.seed").value(seed));
    }

    @Test
    void anInjectionPointFailsWithARetvalTheRealCallReturns() throws Exception {
        putJson(FAULTS, "{\"inject\":{\"request_irq\":{\"retval\":\"EINVAL\",\"probability\":50},\"pci_iomap\":true}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.inject.request_irq.retval").value("EINVAL"))
                .andExpect(jsonPath("$.inject.request_irq.probability").value(50))
                .andExpect(jsonPath("$.inject.pci_iomap.retval").value("ENOMEM"))
                .andExpect(jsonPath("$.inject.pci_iomap.times").value(-1));
    }

    /** A fault's and an injection point's call site (issue 17) are set and read back; left out, none is said. */
    @Test
    void aCallSiteIsSetAndReadBack() throws Exception {
        putJson(FAULTS, "{\"forgetTimerCancel\":{\"site\":\"module_exit\"},\"forgetWorkCancel\":{\"times\":1},"
                + "\"inject\":{\"pci_iomap\":{\"retval\":\"ENOMEM\",\"site\":\"probe\"}}}").andExpect(status().isOk());
        getJson(FAULTS).andExpect(status().isOk())
                .andExpect(jsonPath("$.forgetTimerCancel.site").value("module_exit"))
                .andExpect(jsonPath("$.forgetTimerCancel.times").value(-1))
                .andExpect(jsonPath("$.forgetWorkCancel.site").doesNotExist())
                .andExpect(jsonPath("$.inject.pci_iomap.site").value("probe"));
    }

    /** Each bad body is EINVAL and changes nothing: what was set before is still set. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"inject\":{\"pci_iomap\":{\"retval\":\"EBUSY\"}}}",
        "{\"inject\":{\"no_such_call\":true}}",
        "{\"inject\":{\"pci_iomap\":{\"retval\":\"enomem\"}}}",
        "{\"inject\":[\"pci_iomap\"]}",
        "{\"forgetTimerCancel\":{\"probability\":101}}",
        "{\"forgetTimerCancel\":{\"interval\":0}}",
        "{\"forgetTimerCancel\":{\"times\":-2}}",
        "{\"forgetTimerCancel\":{\"space\":-1}}",
        "{\"forgetTimerCancel\":{\"verbose\":3}}",
        "{\"forgetTimerCancel\":{\"probability\":1.5}}",
        "{\"forgetTimerCancel\":{\"probability\":\"50\"}}",
        "{\"forgetTimerCancel\":{\"device\":\"gpu0\"}}",
        "{\"forgetTimerCancel\":{\"sometimes\":1}}",
        "{\"forgetTimerCancel\":{\"site\":\"exit\"}}",
        "{\"forgetTimerCancel\":{\"site\":1}}",
        "{\"forgetTimerCancel\":\"yes\"}",
        "{\"forgetTimerCancel\":1}",
        "{\"seed\":\"42\"}",
        "{\"seed\":1.5}",
        "{\"seed\":18446744073709551616}",
        "{\"nosuchFault\":true}",
        "{\"remove\":[\"hrtimer_cancle\"]}",
        "{\"remove\":[\"free_irq:3\"]}",
        "{\"remove\":[\"hrtimer_cancel:t\"]}",
        "{\"remove\":[\"mutex_unlock\"]}",
        "{\"remove\":\"forgetEverything\"}",
        "{\"remove\":{\"free_irq\":true}}"})
    void badInputIsEinvalAndChangesNothing(String body) throws Exception {
        putJson(FAULTS, "{\"leakRegion\":{\"times\":3},\"seed\":9}").andExpect(status().isOk());
        expectProblem(callRejected(put(FAULTS)
                .contentType(MediaType.APPLICATION_JSON).content(body)), 400, "EINVAL");
        getJson(FAULTS).andExpect(jsonPath("$.leakRegion.times").value(3)).andExpect(jsonPath("$.seed").value(9))
                .andExpect(jsonPath("$.forgetTimerCancel").value(false)).andExpect(jsonPath("$.inject").isEmpty());
    }

    /** A written remove() order and a preset are set and read back; without one, the built-in order is {@code []} (issue 18). */
    @Test
    void aRemoveOrderIsSetAndReadBack() throws Exception {
        putJson(FAULTS, "{\"remove\":[\"cancel_work_sync:4\",\"hrtimer_cancel\",\"pci_iounmap\",\"pci_release_region\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.remove").value(org.hamcrest.Matchers.contains("cancel_work_sync:4", "hrtimer_cancel",
                        "pci_iounmap", "pci_release_region")));
        getJson(FAULTS).andExpect(jsonPath("$.remove[0]").value("cancel_work_sync:4"));

        putJson(FAULTS, "{\"remove\":\"wrongCancelOrder\"}").andExpect(status().isOk())
                .andExpect(jsonPath("$.remove").value("wrongCancelOrder"))
                .andExpect(jsonPath("$.wrongCancelOrder").value(false));
        getJson(FAULTS).andExpect(jsonPath("$.remove").value("wrongCancelOrder"));

        putJson(FAULTS, "{}").andExpect(status().isOk()).andExpect(jsonPath("$.remove").isEmpty());
    }

    private static void expectOnly(ResultActions answer, Optional<Fault> on) throws Exception {
        for (Fault fault : Fault.values()) {
            answer.andExpect(jsonPath("$." + fault.word()).value(on.equals(Optional.of(fault))));
        }
        answer.andExpect(jsonPath("$.probeFailure").isEmpty()).andExpect(jsonPath("$.inject").isEmpty());
    }
}

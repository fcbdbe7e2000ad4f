package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.firmware.FirmwareStore;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * {@code /api/v1/firmware}: the store by nova-core's names, its bytes in and out, its limits and bad input
 * as problems; a deleted or corrupt image fails the next bind as the driver says. And
 * {@code /api/v1/drivers/nova-core/injectable}: the injection points in probe order.
 */
class FirmwareApiTest extends ApiTest {

    private static final String GA102_FW = "/api/v1/firmware/nvidia/ga102/gsp/booter_load-535.113.01.bin";

    @Test
    void everySupportedChipsetsBooterLoadIsPreinstalled() throws Exception {
        getJson("/api/v1/firmware").andExpect(status().isOk())
                .andExpect(jsonPath("$[?(@.name == 'nvidia/ga102/gsp/booter_load-535.113.01.bin')].size").value(24 + 5))
                .andExpect(jsonPath("$[?(@.name == 'nvidia/gp102/gsp/booter_load-535.113.01.bin')]").isEmpty());
        var image = call(get(GA102_FW).accept(MediaType.APPLICATION_OCTET_STREAM)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsByteArray();
        assertThat(image).startsWith(0xde, 0x10, 0, 0).hasSize(29);
    }

    @Test
    void aDeletedFileFailsTheBindWithEnoentAndAPutOneBringsItBack() throws Exception {
        var image = call(get(GA102_FW).accept(MediaType.APPLICATION_OCTET_STREAM)).andReturn().getResponse()
                .getContentAsByteArray();
        createDevice("GA102", GA102);
        call(delete(GA102_FW)).andExpect(status().isNoContent());
        expectProblem(callRejected(get(GA102_FW).accept(MediaType.APPLICATION_OCTET_STREAM)), 404, "ENOENT");
        loadNovaCore(); // the autoprobe fails
        expectProblem(postJson("/api/v1/drivers/nova-core/bind", "{\"device\":\"" + GA102 + "\"}"), 404, "ENOENT");
        getJson("/api/v1/events").andExpect(status().isOk());

        call(put(GA102_FW).contentType(MediaType.APPLICATION_OCTET_STREAM).content(FirmwareStore.image(0x1234, new byte[4])))
                .andExpect(status().isCreated()).andExpect(header().string("Location", GA102_FW))
                .andExpect(jsonPath("$.size").value(28));
        expectProblem(postJson("/api/v1/drivers/nova-core/bind", "{\"device\":\"" + GA102 + "\"}"), 400, "EINVAL");

        call(put(GA102_FW).contentType(MediaType.APPLICATION_OCTET_STREAM).content(image)).andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("nvidia/ga102/gsp/booter_load-535.113.01.bin"));
        bind(GA102);
    }

    @Test
    void theBootRegistersAreNamedAndABoundGpuReportsBootComplete() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        getJson("/api/v1/devices/" + GA102 + "/mmio/0x118234").andExpect(status().isOk())
                .andExpect(jsonPath("$.register").value("NV_PGC6_AON_SECURE_SCRATCH_GROUP_05"))
                .andExpect(jsonPath("$.value").value("0x000000ff"));
        getJson("/api/v1/devices/" + GA102 + "/mmio/0x110100").andExpect(status().isOk())
                .andExpect(jsonPath("$.register").value("NV_PGSP_FALCON_CPUCTL"));
    }

    @Test
    void badInputIsAProblem() throws Exception {
        expectProblem(callRejected(put("/api/v1/firmware/nvidia/GA102/gsp/x.bin")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[1])), 400, "EINVAL");
        expectProblem(callRejected(put("/api/v1/firmware/nvidia/ga102/gsp/x%20y.bin")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[1])), 400, "EINVAL");
        expectProblem(callRejected(delete("/api/v1/firmware/nvidia/ga102/gsp/none.bin")), 404, "ENOENT");
        expectProblem(callRejected(put(GA102_FW).contentType(MediaType.APPLICATION_JSON).content("{}")), 415, "EINVAL");
        expectProblem(callRejected(put("/api/v1/firmware/nvidia/ga102/gsp/big.bin")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[FirmwareStore.MAX_FILE_BYTES + 1])),
                413, "E2BIG");
    }

    @Test
    void theStoreIsBoundedInFiles() throws Exception {
        int preinstalled = FirmwareStore.preinstalled().list().size();
        for (int i = 0; i < FirmwareStore.MAX_EXTRA_FILES; i++) {
            call(put("/api/v1/firmware/nvidia/ga102/gsp/f" + i + ".bin").contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .content(new byte[1])).andExpect(status().isCreated());
        }
        expectProblem(call(put("/api/v1/firmware/nvidia/ga102/gsp/one-more.bin")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[1])), 507, "ENOSPC");
        call(post("/api/v1/host/reset")).andExpect(status().isOk());
        getJson("/api/v1/firmware").andExpect(jsonPath("$.length()").value(preinstalled));
    }

    @Test
    void injectableListsThePointsInProbeOrderWithTheirErrnos() throws Exception {
        var result = getJson("/api/v1/drivers/nova-core/injectable").andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(InjectionPoint.values().length))
                .andExpect(jsonPath("$[0].name").value("pci_enable_device"))
                .andExpect(jsonPath("$[4].name").value("request_irq"))
                .andExpect(jsonPath("$[4].errnos[0]").value("EBUSY"))
                .andExpect(jsonPath("$[4].errnos[1]").value("EINVAL"))
                .andExpect(jsonPath("$[5].name").value("request_firmware"))
                .andExpect(jsonPath("$[5].errnos[0]").value("ENOENT"))
                .andExpect(jsonPath("$[6].name").value("read_poll_timeout"))
                .andExpect(jsonPath("$[6].errnos[0]").value("ETIMEDOUT"));
        for (InjectionPoint point : InjectionPoint.values()) {
            result.andExpect(jsonPath("$[" + point.ordinal() + "].name").value(point.word()))
                    .andExpect(jsonPath("$[" + point.ordinal() + "].description").value(point.description()));
        }
        expectProblem(getJson("/api/v1/drivers/no-such/injectable"), 404, "ENOENT");
    }
}

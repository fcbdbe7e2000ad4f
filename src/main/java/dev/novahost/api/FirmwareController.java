package dev.novahost.api;

import dev.novahost.kernel.firmware.FirmwareStore;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The firmware files nova-core's probe requests ({@code /lib/firmware}), by nova-core's names. A name
 * has slashes ({@code nvidia/ga102/gsp/booter_load-535.113.01.bin}); the firewall refuses an encoded
 * slash and the contract's path templates are one segment each, so the route spells nova-core's layout
 * out: {@code /api/v1/firmware/nvidia/{chip}/gsp/{file}}. Bodies are the file's bytes
 * ({@code application/octet-stream}), bounded by the store ({@code E2BIG}) and the request size limit.
 * Changes are journaled (the store tells the kernel log's observers): once answered, they survive a restart.
 */
@RestController
@RequestMapping(path = "/api/v1/firmware")
class FirmwareController {

    private static final String FILE = "/nvidia/{chip}/gsp/{file}";

    /** One file of the store. */
    record FirmwareView(String name, int size) {
    }

    private final FirmwareStore store;

    FirmwareController(FirmwareStore store) {
        this.store = store;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    List<FirmwareView> list() {
        return store.list().stream().map(entry -> new FirmwareView(entry.name(), entry.size())).toList();
    }

    @GetMapping(path = FILE, produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    byte[] get(@PathVariable String chip, @PathVariable String file) {
        return store.get(name(chip, file));
    }

    /** 201 with the file's view when it is new, 200 when it replaced one. */
    @PutMapping(path = FILE, consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<FirmwareView> put(@PathVariable String chip, @PathVariable String file,
                                     @RequestBody(required = false) byte[] image) {
        var name = name(chip, file);
        var bytes = image == null ? new byte[0] : image;
        var view = new FirmwareView(name, bytes.length);
        return store.put(name, bytes) ? ResponseEntity.created(URI.create("/api/v1/firmware/" + name)).body(view)
                : ResponseEntity.ok(view);
    }

    @DeleteMapping(path = FILE, produces = DeviceController.NO_BODY)
    ResponseEntity<Void> delete(@PathVariable String chip, @PathVariable String file) {
        store.delete(name(chip, file));
        return ResponseEntity.noContent().build();
    }

    private static String name(String chip, String file) {
        return "nvidia/" + chip + "/gsp/" + file;
    }
}

package dev.novahost.api;

import dev.novahost.kernel.novacore.FileService;
import dev.novahost.kernel.pci.PciAddress;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * nova-core's character device: open files hold a module reference; their ops reach BAR0 through the
 * driver. It parses requests and answers with views; the rules are the kernel's ({@link FileService}).
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class FileController {

    private final FileService files;

    FileController(FileService files) {
        this.files = files;
    }

    @PostMapping("/api/v1/devices/{address}/files")
    ResponseEntity<FileView> open(@PathVariable String address) {
        var file = files.open(PciAddress.parse(address));
        return ResponseEntity.created(URI.create("/api/v1/files/" + file.fd())).body(FileView.of(file));
    }

    @GetMapping("/api/v1/devices/{address}/files")
    List<FileView> ofDevice(@PathVariable String address) {
        return files.of(PciAddress.parse(address)).stream().map(FileView::of).toList();
    }

    @GetMapping("/api/v1/files")
    List<FileView> files() {
        return files.all().stream().map(FileView::of).toList();
    }

    @GetMapping("/api/v1/files/{fd}")
    FileView get(@PathVariable int fd) {
        return FileView.of(files.get(fd));
    }

    @GetMapping("/api/v1/files/{fd}/mmio/{offset}")
    RegisterView read(@PathVariable int fd, @PathVariable String offset) {
        int at = Hex.parseOffset(offset);
        return RegisterView.of(at, files.read(fd, at));
    }

    @PutMapping("/api/v1/files/{fd}/mmio/{offset}")
    RegisterView write(@PathVariable int fd, @PathVariable String offset, @RequestBody WriteRegisterRequest request) {
        int at = Hex.parseOffset(offset);
        int value = request.registerValue();
        files.write(fd, at, value);
        return RegisterView.of(at, value);
    }

    /** {@code close}: the file's release runs and its module reference is dropped. */
    @DeleteMapping(path = "/api/v1/files/{fd}", produces = DeviceController.NO_BODY)
    ResponseEntity<Void> close(@PathVariable int fd) {
        files.close(fd);
        return ResponseEntity.noContent().build();
    }
}

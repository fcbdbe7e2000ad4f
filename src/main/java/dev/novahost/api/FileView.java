package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.novacore.DeviceFile;

/** An open device file: its descriptor, its device, {@code open}/{@code disconnected}/{@code closed}. */
record FileView(int fd, String device, String state, int generation) {

    static FileView of(DeviceFile file) {
        return new FileView(file.fd(), file.owner().address(), WireWord.of(file.state()), file.text().generation());
    }
}

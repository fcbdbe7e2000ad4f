package dev.novahost.kernel.firmware;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Chipset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code /lib/firmware} of the simulated machine: the files {@code request_firmware} finds, by the names
 * nova-core gives them ({@code nvidia/ga102/gsp/booter_load-535.113.01.bin}, nova-core's
 * {@code FIRMWARE_VERSION} 535.113.01). Every supported chipset's {@code booter_load} image is installed
 * at boot, so that a default bind succeeds; operators replace or delete files to make probe fail as a
 * missing or corrupt firmware does.
 *
 * <p>An image starts with nova-core's {@code BinHdr}: six little-endian u32s, the first the magic
 * {@code 0x10de}. Names follow nova-core's layout, {@code nvidia/<chip>/gsp/<file>}. {@link #checkHeader} is the driver's check ({@code EINVAL}); the store itself keeps
 * any bytes, as a filesystem would.
 *
 * <p>Bounded: at most {@link #MAX_FILES} files ({@code ENOSPC} beyond) of at most {@link #MAX_FILE_BYTES}
 * each ({@code E2BIG}). Not journaled: a restart brings back the preinstalled files.
 *
 * <p>Thread-safety: every method is synchronized on the store; images are copied in and out.
 */
public final class FirmwareStore {

    /** nova-core's {@code FIRMWARE_VERSION}. */
    public static final String VERSION = "535.113.01";
    /** {@code BinHdr.bin_magic}. */
    public static final int BIN_MAGIC = 0x10de;
    /** {@code size_of::<BinHdr>()}: six u32s. */
    public static final int HEADER_BYTES = 24;
    public static final int MAX_FILES = 128;
    public static final int MAX_FILE_BYTES = 1 << 20;
    public static final int MAX_NAME_LENGTH = 255;

    /** nova-core's layout, {@code nvidia/<chip>/gsp/<file>}: a lower-case chip, a file of letters, digits, {@code . - _}. */
    private static final Pattern NAME = Pattern.compile("nvidia/[a-z0-9]+/gsp/[A-Za-z0-9_-][A-Za-z0-9_.-]*");

    /** A file of the store: its name and size in bytes. */
    public record Entry(String name, int size) {
    }

    private final Map<String, byte[]> files = new TreeMap<>();

    /** A store holding the {@code booter_load} image of every chipset nova-core supports. */
    public static FirmwareStore preinstalled() {
        var store = new FirmwareStore();
        store.restoreDefaults();
        return store;
    }

    /** Back to the preinstalled files only (a host reset). */
    public synchronized void restoreDefaults() {
        files.clear();
        for (Chipset chipset : Chipset.values()) {
            if (chipset.supported()) {
                files.put(bootloaderName(chipset), image(BIN_MAGIC, chipset.name().getBytes()));
            }
        }
    }

    /** The file probe requests for {@code chipset}: {@code nvidia/<chip>/gsp/booter_load-535.113.01.bin}. */
    public static String bootloaderName(Chipset chipset) {
        return "nvidia/" + chipset.name().toLowerCase(Locale.ROOT) + "/gsp/booter_load-" + VERSION + ".bin";
    }

    /** An image: a {@code BinHdr} with {@code magic}, then {@code payload}. */
    public static byte[] image(int magic, byte[] payload) {
        var buffer = ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(magic).putInt(1).putInt(HEADER_BYTES + payload.length).putInt(HEADER_BYTES)
                .putInt(HEADER_BYTES).putInt(payload.length).put(payload);
        return buffer.array();
    }

    /** The driver's check of what it loaded: a whole {@code BinHdr} whose magic is {@code 0x10de}, else {@code EINVAL}. */
    public static void checkHeader(String name, byte[] image) {
        if (image.length < HEADER_BYTES) {
            throw KernelException.of(Errno.EINVAL, "Firmware " + name + " is " + image.length
                    + " bytes, shorter than its " + HEADER_BYTES + "-byte header");
        }
        int magic = ByteBuffer.wrap(image, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (magic != BIN_MAGIC) {
            throw KernelException.of(Errno.EINVAL, String.format(
                    "Firmware %s has header magic 0x%x, not 0x%x", name, magic, BIN_MAGIC));
        }
    }

    /** Every file, by name. */
    public synchronized List<Entry> list() {
        var entries = new ArrayList<Entry>(files.size());
        files.forEach((name, image) -> entries.add(new Entry(name, image.length)));
        return entries;
    }

    /** The file's bytes; {@code ENOENT} when there is none. */
    public synchronized byte[] get(String name) {
        checkName(name);
        return find(name).orElseThrow(() -> missing(name));
    }

    /** What {@code request_firmware} finds under {@code name}, if anything. */
    public synchronized Optional<byte[]> find(String name) {
        return Optional.ofNullable(files.get(name)).map(byte[]::clone);
    }

    /** Installs or replaces a file; true if it is new. {@code EINVAL} name, {@code E2BIG} too big, {@code ENOSPC} full. */
    public synchronized boolean put(String name, byte[] image) {
        checkName(name);
        if (image.length > MAX_FILE_BYTES) {
            throw KernelException.of(Errno.E2BIG, "Firmware " + name + " is " + image.length
                    + " bytes; a file may have at most " + MAX_FILE_BYTES);
        }
        if (!files.containsKey(name) && files.size() >= MAX_FILES) {
            throw KernelException.of(Errno.ENOSPC, "The firmware store holds " + MAX_FILES
                    + " files, its limit; delete one first");
        }
        return files.put(name, image.clone()) == null;
    }

    /** Deletes a file; {@code ENOENT} when there is none. */
    public synchronized void delete(String name) {
        checkName(name);
        if (files.remove(name) == null) {
            throw missing(name);
        }
    }

    /** {@code EINVAL} unless {@code name} is in nova-core's layout {@code nvidia/<chip>/gsp/<file>}, at most 255 characters. */
    public static void checkName(String name) {
        if (name == null || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw KernelException.of(Errno.EINVAL, "Firmware name '" + name + "' is not nova-core's"
                    + " nvidia/<chip>/gsp/<file> (a lower-case chip; a file of letters, digits, '.', '-' and '_';"
                    + " at most " + MAX_NAME_LENGTH + " characters)");
        }
    }

    private static KernelException missing(String name) {
        return KernelException.of(Errno.ENOENT, "No firmware file " + name);
    }
}

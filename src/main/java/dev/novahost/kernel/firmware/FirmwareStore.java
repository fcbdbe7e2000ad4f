package dev.novahost.kernel.firmware;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Chipset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
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
 * <p>Bounded, so that the journal is: at most {@link #MAX_EXTRA_FILES} files beyond the preinstalled ones
 * ({@code ENOSPC} beyond) of at most {@link #MAX_FILE_BYTES} each ({@code E2BIG}); our images need only
 * the 24-byte header. Journaled: every change is told to the {@link Change} listener (the kernel log's
 * observers, the journal among them) under the store's lock, after it was checked and before it is made,
 * so a listener that refuses it (the journal cannot make it durable) leaves the store as it was, and
 * the journal's order is the store's.
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
    /** Files beyond the preinstalled ones (a preinstalled name deleted and installed again is not one). */
    public static final int MAX_EXTRA_FILES = 16;
    public static final int MAX_FILE_BYTES = 64 * 1024;
    public static final int MAX_NAME_LENGTH = 255;

    /** nova-core's layout, {@code nvidia/<chip>/gsp/<file>}: a lower-case chip, a file of letters, digits, {@code . - _}. */
    private static final Pattern NAME = Pattern.compile("nvidia/[a-z0-9]+/gsp/[A-Za-z0-9_-][A-Za-z0-9_.-]*");

    /** A file of the store: its name and size in bytes. */
    public record Entry(String name, int size) {
    }

    /** A change of the store, told before it is made: what the journal records. */
    public sealed interface Change {
        /** A file installed or replaced with {@code image} (the listener must not change it). */
        record Installed(String name, byte[] image) implements Change { }

        record Deleted(String name) implements Change { }

        /** Back to the preinstalled files only. */
        record Defaults() implements Change { }
    }

    private static final Map<String, byte[]> DEFAULTS = defaults();

    private final Map<String, byte[]> files = new TreeMap<>(DEFAULTS);
    private final Consumer<Change> listener;

    private FirmwareStore(Consumer<Change> listener) {
        this.listener = listener;
    }

    /** A store holding the {@code booter_load} image of every chipset nova-core supports. */
    public static FirmwareStore preinstalled() {
        return preinstalled(change -> { });
    }

    /** {@link #preinstalled()}, telling {@code listener} of every change from now on. */
    public static FirmwareStore preinstalled(Consumer<Change> listener) {
        return new FirmwareStore(listener);
    }

    private static Map<String, byte[]> defaults() {
        var defaults = new TreeMap<String, byte[]>();
        for (Chipset chipset : Chipset.values()) {
            if (chipset.supported()) {
                defaults.put(bootloaderName(chipset), image(BIN_MAGIC, chipset.name().getBytes()));
            }
        }
        return Collections.unmodifiableMap(defaults);
    }

    /** Whether {@code name} is a preinstalled file's. */
    public static boolean isDefault(String name) {
        return DEFAULTS.containsKey(name);
    }

    /** Whether {@code image} is what is preinstalled under {@code name}. */
    public static boolean isDefault(String name, byte[] image) {
        var preinstalled = DEFAULTS.get(name);
        return preinstalled != null && Arrays.equals(preinstalled, image);
    }

    /** Back to the preinstalled files only (a host reset). */
    public synchronized void restoreDefaults() {
        listener.accept(new Change.Defaults());
        files.clear();
        files.putAll(DEFAULTS);
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
        if (!files.containsKey(name) && !isDefault(name) && extraFiles() >= MAX_EXTRA_FILES) {
            throw KernelException.of(Errno.ENOSPC, "The firmware store holds " + MAX_EXTRA_FILES
                    + " files beyond the preinstalled ones, its limit; delete one first");
        }
        var copy = image.clone();
        listener.accept(new Change.Installed(name, copy));
        return files.put(name, copy) == null;
    }

    /** Deletes a file; {@code ENOENT} when there is none. */
    public synchronized void delete(String name) {
        checkName(name);
        if (!files.containsKey(name)) {
            throw missing(name);
        }
        listener.accept(new Change.Deleted(name));
        files.remove(name);
    }

    private long extraFiles() {
        return files.keySet().stream().filter(name -> !isDefault(name)).count();
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

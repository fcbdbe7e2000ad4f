package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.pci.Chipset;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link JournalCrashTest}'s rounds for the firmware store (issue 17): a client installs, replaces and
 * deletes firmware files (up to 64 KiB, the store's largest) and resets the host, one request at a
 * time, and the service is killed with SIGKILL after a random number of answers; the restart on the
 * same data folder holds exactly the files acknowledged (the request in flight at the kill may or may
 * not have happened). The journal is compacted every 5 records, so kills land in and around
 * compactions, whose snapshot carries the store's differences from its preinstalled files.
 * {@code -Dnova.crash.firmware-rounds=N} runs more rounds (the suite runs 3), {@code -Dnova.crash.seed=S}
 * repeats a run.
 */
class FirmwareCrashTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> NAMES = List.of(FirmwareStore.bootloaderName(Chipset.GA102),
            FirmwareStore.bootloaderName(Chipset.TU102), "nvidia/ga102/gsp/a.bin", "nvidia/ga102/gsp/b.bin",
            "nvidia/tu102/gsp/c.bin", "nvidia/ad102/gsp/d.bin");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyAcknowledgedFirmwareChangeSurvivesKillDashNine() throws Exception {
        int rounds = Integer.getInteger("nova.crash.firmware-rounds", 3);
        long seed = Long.getLong("nova.crash.seed", System.nanoTime());
        var random = new Random(seed);
        int port = start();
        var acknowledged = files(port);
        assertThat(acknowledged).hasSize(FirmwareStore.preinstalled().list().size());
        int changes = 0;
        for (int round = 1; round <= rounds; round++) {
            var storm = new Storm(port, acknowledged, new Random(random.nextLong()));
            storm.killAfter(5 + random.nextInt(30), children.getLast(), "firmware-storm");

            port = start();
            var found = files(port);
            assertThat(found).as("round %d of %d (seed %d): the store after kill -9 is what was acknowledged"
                    + " (the request in flight was %s)", round, rounds, seed, storm.inFlight())
                    .isIn(storm.acknowledged(), storm.acknowledgedWithInFlight());
            acknowledged = found;
            changes += storm.acknowledgements();
        }
        System.out.printf("firmware kill -9: %d rounds survived, %d acknowledged changes checked (seed %d)%n",
                rounds, changes, seed);
    }

    /** Installs, replaces and deletes firmware files and resets the host; the model is {@link #files(int)}'s. */
    private final class Storm extends CrashStorm<Map<String, String>> {

        private final int port;
        private final Random random;

        Storm(int port, Map<String, String> start, Random random) {
            super(start);
            this.port = port;
            this.random = random;
        }

        @Override
        void change() throws IOException, InterruptedException {
            var now = acknowledged();
            String name = NAMES.get(random.nextInt(NAMES.size()));
            int dice = random.nextInt(20);
            if (dice == 0) {
                request(files(FirmwareStore.preinstalled()), "POST", "/api/v1/host/reset", null, 200);
            } else if (dice < 6 && now.containsKey(name)) {
                var after = new TreeMap<>(now);
                after.remove(name);
                request(after, "DELETE", "/api/v1/firmware/" + name, null, 204);
            } else {
                // mostly small, sometimes the largest the store takes
                var image = new byte[random.nextInt(4) == 0 ? FirmwareStore.MAX_FILE_BYTES : 24 + random.nextInt(2000)];
                random.nextBytes(image);
                var after = new TreeMap<>(now);
                after.put(name, sha256(image));
                request(after, "PUT", "/api/v1/firmware/" + name, image, now.containsKey(name) ? 200 : 201);
            }
        }

        private void request(Map<String, String> after, String method, String path, byte[] body, int expected)
                throws IOException, InterruptedException {
            var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/octet-stream")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            request(after, method + " " + path + (body == null ? "" : " (" + body.length + " bytes)"),
                    () -> http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode(), expected);
        }
    }

    /** Every file of the running service's store: name and SHA-256 of its bytes. */
    private Map<String, String> files(int port) throws Exception {
        var files = new TreeMap<String, String>();
        var list = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/firmware")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (var entry : JSON.readTree(list)) {
            String name = entry.get("name").asString();
            byte[] bytes = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/firmware/"
                    + name)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            files.put(name, sha256(bytes));
        }
        return files;
    }

    private static Map<String, String> files(FirmwareStore store) {
        var files = new TreeMap<String, String>();
        store.list().forEach(entry -> files.put(entry.name(), sha256(store.get(entry.name()))));
        return files;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A service on the data folder, on a free loopback port, ready. */
    private int start() throws Exception {
        return ChildService.start(http, children,
                port -> data.resolveSibling(data.getFileName() + "-firmware-child-" + port + ".log"),
                List.of("--server.address=127.0.0.1", "--nova.data-dir=" + data, "--nova.journal-compact-every=5",
                        "--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.dev.novahost=INFO"))
                .port();
    }
}

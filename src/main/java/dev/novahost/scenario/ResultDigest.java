package dev.novahost.scenario;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of a scenario result: the SHA-256 of its canonical JSON ({@link Scenario#JSON}) with the
 * digest field empty, so it covers the whole result but itself, streamed. Its bytes are counted against the result-size budget as they are written, so an
 * oversized result is refused before it exists whole.
 */
final class ResultDigest {

    private ResultDigest() {
    }

    /** The hex SHA-256 of the result written as JSON; {@code meter} counts the bytes (and may end the run). */
    static String of(ScenarioResult result, BudgetMeter meter) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        var canonical = new OutputStream() {
            @Override
            public void write(int b) {
                meter.resultWritten(1);
                sha256.update((byte) b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                meter.resultWritten(length);
                sha256.update(bytes, offset, length);
            }
        };
        Scenario.JSON.writeValue(canonical, result.withDigest(""));
        return HexFormat.of().formatHex(sha256.digest());
    }
}

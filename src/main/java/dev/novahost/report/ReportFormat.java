package dev.novahost.report;

import java.util.Arrays;
import java.util.Locale;

/**
 * The formats a {@link TestReport} is written in, each with the media type HTTP answers it with. Their
 * words ({@code junit}, {@code ktap}) are the {@code format} of the API and the {@code --format} of the
 * command line.
 */
public enum ReportFormat {
    /** JUnit XML ({@link JunitXml}). */
    JUNIT("application/xml;charset=UTF-8"),
    /** KTAP version 1 ({@link Ktap}). */
    KTAP("text/plain;charset=UTF-8");

    private final String mediaType;

    ReportFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** The format a command line names ({@code --format junit}), in any case; anything else is refused, naming the formats. */
    public static ReportFormat named(String word) {
        return Arrays.stream(values()).filter(f -> f.word().equalsIgnoreCase(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + word + "' is not a report format; formats are "
                        + Arrays.stream(values()).map(ReportFormat::word).toList()));
    }

    /** {@code junit}, {@code ktap}: as the API and the command line spell it. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String mediaType() {
        return mediaType;
    }

    public String write(TestReport report) {
        return switch (this) {
            case JUNIT -> JunitXml.write(report);
            case KTAP -> Ktap.write(report);
        };
    }
}

package dev.novahost.report;

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

package dev.novahost.journal;

import dev.novahost.access.BearerTokens;
import dev.novahost.access.ProblemWriter;
import dev.novahost.kernel.Errno;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes each state-changing request one journal operation: room for it is reserved in the journal
 * before the handler runs (a full disk refuses the request with nothing changed), its records are held
 * back while the handler runs and appended together before the first byte of the answer can leave
 * (when the answer's body is opened, or at the end for an answer without one). So what a client was
 * answered is on disk, and a request the process died in the middle of is not replayed half done.
 *
 * <p>A journal that cannot take the request answers a problem: {@code 507 ENOSPC} when the disk is
 * full, {@code 503 EIO} when it fails; if the records could not be written after the handler ran, that
 * problem replaces the handler's answer, which never leaves.
 */
public final class RequestJournaling extends OncePerRequestFilter {

    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final Journaling journaling;

    public RequestJournaling(Journaling journaling) {
        this.journaling = journaling;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // a scenario runs in a kernel of its own and records nothing: a full disk need not refuse it
        return !CHANGES.contains(request.getMethod()) || BearerTokens.SCENARIO_RUN.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            journaling.begin();
        } catch (Journal.JournalException noRoom) {
            refuse(request, response, noRoom);
            return;
        }
        var answer = new CommitBeforeAnswer(request, response);
        try {
            chain.doFilter(request, answer);
        } finally {
            answer.commit(); // nothing left when the answer already committed it
        }
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, Journal.JournalException e)
            throws IOException {
        int status = e.errno() == Errno.ENOSPC ? 507 : 503;
        response.setCharacterEncoding("UTF-8"); // the detail names the file, which may not be ASCII
        ProblemWriter.write(request, response, status, e.errno(), e.getMessage());
        response.flushBuffer(); // committed: whatever the handler still sets is ignored
    }

    /** Commits the operation before anything of the answer can reach the client. */
    private final class CommitBeforeAnswer extends HttpServletResponseWrapper {

        private final HttpServletRequest request;
        private boolean failed;

        CommitBeforeAnswer(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        /** True when the records are on disk; otherwise the problem has taken the answer's place. */
        boolean commit() throws IOException {
            if (failed) {
                return false;
            }
            try {
                journaling.commit();
                return true;
            } catch (Journal.JournalException notDurable) {
                failed = true;
                var response = (HttpServletResponse) getResponse();
                if (!response.isCommitted()) {
                    response.reset();
                    refuse(request, response, notDurable);
                }
                return false;
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return commit() ? super.getOutputStream() : DISCARDED;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            return commit() ? super.getWriter() : new PrintWriter(Writer.nullWriter());
        }

        @Override
        public void flushBuffer() throws IOException {
            if (commit()) {
                super.flushBuffer();
            }
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            if (commit()) {
                super.sendError(status, message);
            }
        }

        @Override
        public void sendError(int status) throws IOException {
            if (commit()) {
                super.sendError(status);
            }
        }

        @Override
        public void sendRedirect(String location) throws IOException {
            if (commit()) {
                super.sendRedirect(location);
            }
        }
    }

    /** Where the handler's answer goes when a problem replaced it. */
    private static final ServletOutputStream DISCARDED = new ServletOutputStream() {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new IllegalStateException("not an asynchronous answer");
        }

        @Override
        public void write(int b) {
            // dropped
        }
    };
}

package dev.novahost.journal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes each state-changing request one journal operation: its records are held back while the
 * handler runs and appended together before the first byte of the answer can leave (when the answer's
 * body is opened, or at the end for an answer without one). So what a client was answered is on disk,
 * and a request the process died in the middle of is not replayed half done.
 */
public final class RequestJournaling extends OncePerRequestFilter {

    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final JournalingTracepoints journaling;

    public RequestJournaling(JournalingTracepoints journaling) {
        this.journaling = journaling;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !CHANGES.contains(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        journaling.begin();
        try {
            chain.doFilter(request, new CommitBeforeAnswer(response));
        } finally {
            journaling.commit(); // nothing left when the answer already committed it
        }
    }

    /** Commits the operation before anything of the answer can reach the client. */
    private final class CommitBeforeAnswer extends HttpServletResponseWrapper {

        CommitBeforeAnswer(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            journaling.commit();
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            journaling.commit();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            journaling.commit();
            super.flushBuffer();
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            journaling.commit();
            super.sendError(status, message);
        }

        @Override
        public void sendError(int status) throws IOException {
            journaling.commit();
            super.sendError(status);
        }

        @Override
        public void sendRedirect(String location) throws IOException {
            journaling.commit();
            super.sendRedirect(location);
        }
    }
}

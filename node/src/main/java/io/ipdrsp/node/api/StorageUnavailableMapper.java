package io.ipdrsp.node.api;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import io.dropwizard.jersey.errors.ErrorMessage;
import io.ipdrsp.node.transport.RateLimitedLog;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A REST read that Cassandra could not serve right now (no replica reachable in this data center, a timeout, too few
 * replicas for the consistency level) is the server's condition, not a bug: 503 with Retry-After and one line saying
 * what failed, so an auditor's script retries or asks a node of another site, and the log gets one warning per
 * interval instead of a stack trace per request. Any other driver failure is a bug: 500 with an id, logged whole.
 */
public final class StorageUnavailableMapper implements ExceptionMapper<DriverException> {
    private static final Logger LOG = LoggerFactory.getLogger(StorageUnavailableMapper.class);
    static final int RETRY_AFTER_SECONDS = 5;

    private final RateLimitedLog warnings = RateLimitedLog.tenSeconds();

    @Override
    public Response toResponse(DriverException e) {
        if (!isUnavailable(e)) {
            String id = Long.toHexString(ThreadLocalRandom.current().nextLong());
            LOG.error("Error handling a request: {}", id, e);
            return json(Response.Status.INTERNAL_SERVER_ERROR,
                    "There was an error processing your request. It has been logged (ID " + id + ").");
        }
        String what = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        long skipped = warnings.admit("cassandra");
        if (skipped >= 0) {
            LOG.warn("REST read failed, Cassandra unavailable: {}{}", what, RateLimitedLog.suppressed(skipped));
        }
        return Response.fromResponse(json(Response.Status.SERVICE_UNAVAILABLE, "Cassandra cannot serve this read now ("
                        + what + "); retry later, or ask a node of another site"))
                .header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    /** Conditions of the storage cluster that pass by themselves. */
    static boolean isUnavailable(DriverException e) {
        return e instanceof AllNodesFailedException // includes NoNodeAvailableException
                || e instanceof DriverTimeoutException
                || e instanceof QueryExecutionException; // unavailable, read/write timeout or failure on the server
    }

    private static Response json(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorMessage(status.getStatusCode(), message)).build();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}

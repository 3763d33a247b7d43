package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PrepareRequest;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.internal.core.cql.DefaultPrepareRequest;
import java.time.Duration;

/**
 * Prepares statements with a timeout of their own. Preparing happens once, when storage opens; it must not fail
 * because the request timeout configured for the record path ({@code storage.requestTimeoutMillis}) is short or the
 * machine is busy — a node that cannot open its storage does not start.
 *
 * <p>The driver times a prepare request by the request's own timeout, else by its execution profile's; and the bound
 * statements of a prepared statement inherit the profile of the statement it was prepared from. So the timeout goes
 * on the prepare request alone (the driver's own request type, with only its timeout changed): the bound statements
 * keep the configured timeout.
 */
final class Prepared {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Prepared() {
    }

    static PreparedStatement of(CqlSession session, String cql) {
        return session.execute(new DefaultPrepareRequest(cql) {
            @Override
            public Duration getTimeout() {
                return TIMEOUT;
            }
        }, PrepareRequest.SYNC);
    }
}

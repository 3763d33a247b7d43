package io.ipdrsp.storage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;

/**
 * Prepares statements with a timeout of their own. Preparing happens once, when storage opens; it must not fail
 * because the request timeout configured for the record path ({@code storage.requestTimeoutMillis}) is short or the
 * machine is busy — a node that cannot open its storage does not start.
 */
final class Prepared {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Prepared() {
    }

    static PreparedStatement of(CqlSession session, String cql) {
        return session.prepare(SimpleStatement.newInstance(cql).setTimeout(TIMEOUT));
    }
}

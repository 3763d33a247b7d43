package io.ipdrsp.node.security;

import java.util.List;

/**
 * The node's HTTP roles. A user holds any of them; none implies another, so a monitoring account can be given
 * {@code viewer} without seeing subscriber data, and an auditor cannot change the node's log level.
 */
public final class Role {
    /** The status page, {@code /api/exporters}, {@code /api/cluster}, {@code /api/documents}, metrics and health. */
    public static final String VIEWER = "viewer";
    /** Every endpoint that reveals records or subscriber data: audit, document exports, subscribers. */
    public static final String AUDITOR = "auditor";
    /** The admin connector's tasks (log level, gc), {@code /threads} and {@code /pprof}. */
    public static final String OPERATOR = "operator";

    public static final List<String> ALL = List.of(VIEWER, AUDITOR, OPERATOR);

    private Role() {
    }
}

package io.ipdrsp.node.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Optional;
import java.util.function.Function;

/**
 * HTTP Basic authentication and one role per path for what Jersey does not serve: the admin connector's servlets and
 * tasks, and the status page's files. {@code policy} maps the request path to the role it needs, or to
 * {@link #ANONYMOUS} for the few paths that must answer without credentials (probes); anything a policy does not know
 * should map to the strictest role, so a servlet added later is closed until someone decides otherwise.
 */
public final class RoleFilter implements Filter {
    /** The policy's answer for a path anyone may call. */
    public static final String ANONYMOUS = "";
    static final String CHALLENGE = "Basic realm=\"ipdr\", charset=\"UTF-8\"";

    private final NodeUsers users;
    private final Function<String, String> policy;

    public RoleFilter(NodeUsers users, Function<String, String> policy) {
        this.users = users;
        this.policy = policy;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        String role = policy.apply(path.isEmpty() ? "/" : path);
        if (ANONYMOUS.equals(role)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<NodeUser> user = users.fromHeader(req.getHeader("Authorization"));
        if (user.isEmpty()) {
            resp.setHeader("WWW-Authenticate", CHALLENGE);
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED, "credentials required");
            return;
        }
        if (!user.get().has(role)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "role " + role + " required");
            return;
        }
        chain.doFilter(new Authenticated(req, user.get()), response);
    }

    /** The request as the servlet sees it: with the caller's name and roles. */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final NodeUser user;

        Authenticated(HttpServletRequest request, NodeUser user) {
            super(request);
            this.user = user;
        }

        @Override
        public Principal getUserPrincipal() {
            return user;
        }

        @Override
        public String getRemoteUser() {
            return user.name();
        }

        @Override
        public boolean isUserInRole(String role) {
            return user.has(role);
        }

        @Override
        public String getAuthType() {
            return HttpServletRequest.BASIC_AUTH;
        }
    }
}

package io.ipdrsp.node.security;

import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dropwizard-auth only guards resource methods that carry a security annotation; one without any would be open to
 * anybody. This closes such a method instead (403 for everyone) and says so at start, so a resource added without
 * {@code @RolesAllowed} is a visible bug, never an open door. The endpoint-enumeration test fails on it too.
 */
public final class FailClosedFeature implements DynamicFeature {
    private static final Logger LOG = LoggerFactory.getLogger(FailClosedFeature.class);

    @Override
    public void configure(ResourceInfo info, FeatureContext context) {
        if (annotated(info)) {
            return;
        }
        // Jersey's own generated methods (the automatic OPTIONS answers) are closed too, but they are no one's bug
        if (!info.getResourceClass().getName().startsWith("org.glassfish.jersey.")) {
            LOG.error("{}.{} has no @RolesAllowed: it refuses every call until it gets one",
                    info.getResourceClass().getSimpleName(), info.getResourceMethod().getName());
        }
        context.register((ContainerRequestFilter) request -> {
            throw new ForbiddenException("this endpoint has no role assigned");
        });
    }

    static boolean annotated(ResourceInfo info) {
        var m = info.getResourceMethod();
        var c = info.getResourceClass();
        return m.isAnnotationPresent(RolesAllowed.class) || m.isAnnotationPresent(PermitAll.class)
                || m.isAnnotationPresent(DenyAll.class) || c.isAnnotationPresent(RolesAllowed.class)
                || c.isAnnotationPresent(PermitAll.class) || c.isAnnotationPresent(DenyAll.class);
    }
}

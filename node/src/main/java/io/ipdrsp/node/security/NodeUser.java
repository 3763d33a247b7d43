package io.ipdrsp.node.security;

import java.security.Principal;
import java.util.Set;

/** An authenticated HTTP caller and the roles it holds. */
public record NodeUser(String name, Set<String> roles) implements Principal {
    public NodeUser {
        roles = Set.copyOf(roles);
    }

    @Override
    public String getName() {
        return name;
    }

    public boolean has(String role) {
        return roles.contains(role);
    }
}

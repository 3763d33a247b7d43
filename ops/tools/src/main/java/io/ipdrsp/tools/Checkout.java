package io.ipdrsp.tools;

import io.ipdrsp.launcher.LaunchException;
import io.ipdrsp.launcher.ProjectHome;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The project checkout the tools run from: it holds infra/ (server scripts) and the node module's build. */
final class Checkout {
    private Checkout() {
    }

    /**
     * ipdr.home / IPDR_HOME / the working directory upwards ({@link ProjectHome}), else where this class was loaded
     * from (ops/tools/target/classes), so the commands run from anywhere.
     */
    static Path home() {
        try {
            return ProjectHome.locate();
        } catch (LaunchException notHere) {
            try {
                Path classes = Paths.get(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path root = classes.getParent().getParent().getParent().getParent();
                System.setProperty("ipdr.home", root.toString());
                return ProjectHome.locate();
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw notHere;
            }
        }
    }
}

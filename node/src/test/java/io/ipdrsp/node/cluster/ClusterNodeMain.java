package io.ipdrsp.node.cluster;

import io.ipdrsp.node.NodeCli;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of a node JVM started by {@link NodeProcess}: {@code ipdr node CONFIG} plus a watchdog that halts
 * the JVM when the test JVM that started it is gone (a test JVM killed by a timeout must not leave collectors
 * running that would keep ports and CPU).
 */
public final class ClusterNodeMain {
    private ClusterNodeMain() {
    }

    public static void main(String[] args) {
        String parent = System.getProperty("ipdr.test.parentPid");
        if (parent != null) {
            long pid = Long.parseLong(parent);
            Thread watchdog = new Thread(() -> {
                while (true) {
                    if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        Runtime.getRuntime().halt(3);
                    }
                    try {
                        TimeUnit.SECONDS.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        int code = NodeCli.run(args, System.out, System.err);
        System.exit(code);
    }
}

package io.ipdrsp.tools;

import io.ipdrsp.node.NodeCli;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of a node JVM started by {@code ipdr demo}: {@code ipdr node CONFIG} plus a watchdog that halts the
 * JVM once the demo's JVM is gone, so a demo killed with -9 (no shutdown hook) leaves no collector behind.
 */
public final class DemoNodeMain {
    static final String PARENT_PID = "ipdr.demo.parentPid";

    private DemoNodeMain() {
    }

    public static void main(String[] args) {
        String parent = System.getProperty(PARENT_PID);
        if (parent != null) {
            long pid = Long.parseLong(parent);
            Thread watchdog = new Thread(() -> {
                while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        TimeUnit.SECONDS.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                Runtime.getRuntime().halt(3);
            }, "demo-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        System.exit(NodeCli.run(args, System.out, System.err));
    }
}

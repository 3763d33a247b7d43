package io.ipdrsp.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Runs another main class in a JVM started by {@link NodeJvm}, plus a watchdog that halts the JVM once the JVM that
 * started it is gone ({@value #PARENT_PID}): a demo or test JVM killed with -9 (no shutdown hook) must not leave
 * collectors behind that keep ports and CPU.
 *
 * <pre>java -Dipdr.parentPid=PID -cp … io.ipdrsp.launcher.WatchedMain MAIN_CLASS [ARGS…]</pre>
 */
public final class WatchedMain {
    /** System property: the pid to watch. */
    public static final String PARENT_PID = "ipdr.parentPid";

    private WatchedMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: WatchedMain MAIN_CLASS [ARGS…]");
            System.exit(2);
        }
        Long parent = Long.getLong(PARENT_PID);
        if (parent != null) {
            watch(parent);
        }
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watch(long pid) {
        Thread watchdog = new Thread(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}

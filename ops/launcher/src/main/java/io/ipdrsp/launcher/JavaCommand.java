package io.ipdrsp.launcher;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a child JVM that runs a main class under {@link WatchedMain}. */
final class JavaCommand {
    private JavaCommand() {
    }

    /**
     * {@code java OPTIONS MODULE_FLAGS -Dipdr.parentPid=THIS -cp CLASSPATH:LAUNCHER WatchedMain MAIN ARGS}: this
     * JVM's java, its {@code --add-opens} flags (the root pom's test.jvm.flags, which ops/bin/ipdr passes too), and
     * the launcher's own location so {@link WatchedMain} is found whatever the class path.
     */
    static List<String> watched(List<String> jvmOptions, String classpath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(moduleFlagsOfThisJvm());
        cmd.add("-D" + WatchedMain.PARENT_PID + "=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(classpath(classpath));
        cmd.add(WatchedMain.class.getName());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** The class path a child JVM runs on: {@code classpath} and the launcher's own location. */
    static String classpath(String classpath) {
        return classpath + File.pathSeparator + launcherLocation();
    }

    /** JVM options for a small node among several on a shared machine: the serial GC and the C1 compiler. */
    static List<String> compactJvm(String maxHeap) {
        return List.of("-Xms64m", "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-XX:-UsePerfData");
    }

    /** The --add-opens/--add-exports/--add-modules flags this JVM was started with. */
    private static List<String> moduleFlagsOfThisJvm() {
        List<String> out = new ArrayList<>();
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules")) {
                out.add(a);
                if (!a.contains("=") && i + 1 < args.size()) {
                    out.add(args.get(++i));
                }
            }
        }
        return out;
    }

    private static String launcherLocation() {
        try {
            return Path.of(WatchedMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "";
        }
    }
}

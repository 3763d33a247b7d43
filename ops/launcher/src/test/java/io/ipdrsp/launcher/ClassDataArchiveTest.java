package io.ipdrsp.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClassDataArchive} with real child JVMs: written at the first exit, mapped by the next run. */
class ClassDataArchiveTest {

    /** The child JVM's main: loads one class of its own and exits. */
    public static final class Hello {
        public static void main(String[] args) {
            System.out.println("hello " + new Greeting().text());
        }
    }

    /** A second class of the jar, loaded by {@link Hello}. */
    public static final class Greeting {
        String text() {
            return "from the jar";
        }
    }

    @Test
    void theFirstRunWritesTheArchiveWhenItExitsAndTheNextLoadsItsClassesFromIt(@TempDir Path tmp) throws Exception {
        String cp = helloJar(tmp).toString();
        Path dir = tmp.resolve("cds");

        List<String> first = ClassDataArchive.jvmOptions(cp, List.of(), dir);
        assertThat(first.get(0)).startsWith("-XX:ArchiveClassesAtExit=" + dir.resolve("node-"));
        assertThat(run(cp, first)).contains("hello from the jar");
        Path archive = onlyArchive(dir);
        assertThat(first.get(0)).endsWith(archive.toString());
        Files.writeString(ClassDataArchive.mark(archive), ""); // what the node writes once it is up

        List<String> second = ClassDataArchive.jvmOptions(cp, List.of(), dir);
        assertThat(second.get(0)).isEqualTo("-XX:SharedArchiveFile=" + archive);
        List<String> withLog = new ArrayList<>(second);
        withLog.add("-Xlog:class+load=info");
        assertThat(run(cp, withLog)).contains("hello from the jar")
                .containsPattern("ClassDataArchiveTest\\$Greeting source: shared objects file \\(top\\)");
    }

    @Test
    void anArchiveWithoutItsHeaderIsWrittenAgain(@TempDir Path tmp) throws Exception {
        String cp = helloJar(tmp).toString();
        Path dir = tmp.resolve("cds");
        String option = ClassDataArchive.jvmOptions(cp, List.of(), dir).get(0);
        Path archive = Path.of(option.substring(option.indexOf('=') + 1));
        Files.write(archive, new byte[4096]); // a JVM killed while writing: HotSpot writes the header last
        Files.writeString(ClassDataArchive.mark(archive), "");

        assertThat(ClassDataArchive.jvmOptions(cp, List.of(), dir).get(0))
                .isEqualTo("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(archive).doesNotExist();
    }

    @Test
    void anArchiveFromARunThatNeverGotUpIsWrittenAgain(@TempDir Path tmp) throws Exception {
        String cp = helloJar(tmp).toString();
        Path dir = tmp.resolve("cds");
        run(cp, ClassDataArchive.jvmOptions(cp, List.of(), dir));
        Path archive = onlyArchive(dir); // complete, but no mark: the node never said it was up

        assertThat(ClassDataArchive.jvmOptions(cp, List.of(), dir).get(0))
                .isEqualTo("-XX:ArchiveClassesAtExit=" + archive);
        assertThat(archive).doesNotExist();
    }

    @Test
    void aRebuiltJarGetsAnArchiveOfItsOwnAndTheOldOneIsRemoved(@TempDir Path tmp) throws Exception {
        Path jar = helloJar(tmp);
        Path dir = tmp.resolve("cds");
        run(jar.toString(), ClassDataArchive.jvmOptions(jar.toString(), List.of(), dir));
        Path old = onlyArchive(dir);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        List<String> options = ClassDataArchive.jvmOptions(jar.toString(), List.of(), dir);
        assertThat(options.get(0)).startsWith("-XX:ArchiveClassesAtExit=").doesNotEndWith(old.toString());
        assertThat(old).doesNotExist();
    }

    @Test
    void otherJvmOptionsGetAnArchiveOfTheirOwn(@TempDir Path tmp) throws Exception {
        String cp = helloJar(tmp).toString();
        Path dir = tmp.resolve("cds");
        List<String> small = List.of("-Xmx64m");
        run(cp, concat(small, ClassDataArchive.jvmOptions(cp, small, dir)));
        Path archive = onlyArchive(dir);
        Files.writeString(ClassDataArchive.mark(archive), "");
        assertThat(ClassDataArchive.jvmOptions(cp, small, dir).get(0)).isEqualTo("-XX:SharedArchiveFile=" + archive);

        // a heap past 32 GiB turns compressed pointers off: the JVM would refuse the first archive without a word
        String other = ClassDataArchive.jvmOptions(cp, List.of("-Xmx40g"), dir).get(0);
        assertThat(other).startsWith("-XX:ArchiveClassesAtExit=").doesNotEndWith(archive.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aClassPathWithAFolderOfClassesGetsNoOptions(@TempDir Path tmp) throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Files.writeString(classes.resolve("A.class"), "not really");
        String cp = helloJar(tmp) + java.io.File.pathSeparator + classes;
        assertThat(ClassDataArchive.jvmOptions(cp, List.of(), tmp.resolve("cds"))).isEmpty();
        assertThat(tmp.resolve("cds")).doesNotExist();
    }

    private static Path onlyArchive(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".jsa")).toList();
            assertThat(all).hasSize(1);
            try (InputStream in = Files.newInputStream(all.get(0))) {
                assertThat(in.readNBytes(4)).as("a dynamic archive's header").containsExactly(0xa8, 0xab, 0x0b, 0xf0);
            }
            return all.get(0);
        }
    }

    /** A jar of {@link Hello} and {@link Greeting}, copied from this test's own class files. */
    private static Path helloJar(Path tmp) throws IOException {
        Path jar = tmp.resolve("hello.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : List.of(Hello.class, Greeting.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = ClassDataArchiveTest.class.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private static String run(String cp, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", cp, Hello.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit of %s:%n%s", cmd, out).isZero();
        return out;
    }
}

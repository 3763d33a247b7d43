package io.ipdrsp.node;

import io.ipdrsp.launcher.ClassDataArchive;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks the class-data archive this JVM writes when it exits ({@code -XX:ArchiveClassesAtExit}, asked for by the
 * image's {@code ipdr} command and by {@code ipdr node}) as worth mapping: the node got up, so the archive will hold
 * the classes of a whole start. A run that never got up (Cassandra unreachable, a bad configuration) leaves no mark,
 * and the next start writes the archive again instead of mapping a part of one. The mark is named by
 * {@link ClassDataArchive#mark}, which reads it, as the image's command does.
 */
final class ClassDataArchiveMark {
    private static final String OPTION = "-XX:ArchiveClassesAtExit=";
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchiveMark.class);

    private ClassDataArchiveMark() {
    }

    /** Writes the mark when this JVM writes an archive at exit; a failure is logged, the node runs on. */
    static void nodeIsUp() {
        archiveWrittenAtExit().ifPresent(archive -> {
            Path mark = ClassDataArchive.mark(Path.of(archive));
            try {
                Files.writeString(mark, "the node got up; its JVM writes " + archive + " when it stops\n");
            } catch (IOException e) {
                LOG.warn("cannot mark the class-data archive {} as complete ({}): the next start writes it again",
                        archive, e.toString());
            }
        });
    }

    private static Optional<String> archiveWrittenAtExit() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith(OPTION))
                .map(a -> a.substring(OPTION.length())).reduce((first, last) -> last); // the JVM honours the last
    }
}

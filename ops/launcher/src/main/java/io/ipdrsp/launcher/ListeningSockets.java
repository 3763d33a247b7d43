package io.ipdrsp.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Who listens on a TCP port, from Linux's {@code /proc}: the kernel's socket table ({@code /proc/net/tcp},
 * {@code tcp6}) names the socket inode of each listener, and a process's {@code /proc/<pid>/fd} links name the socket
 * inodes it holds. "A connect succeeded" cannot tell our server from another process that holds the port (another
 * engineer's test server, or a TCP self-connect of the probe on a port in the ephemeral range); the inode can.
 */
final class ListeningSockets {
    /** Whose listener is on the port. */
    enum Owner {
        /** The process (or one of its descendants) holds the listening socket. */
        OURS,
        /** Another process listens on the port. */
        FOREIGN,
        /** Nobody listens on the port. */
        NONE,
        /** No {@code /proc} here (not Linux): ownership cannot be checked. */
        UNKNOWN
    }

    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    static boolean available() {
        return Files.isReadable(PROC.resolve("net/tcp"));
    }

    static Owner owner(ProcessHandle process, int port) {
        if (!available()) {
            return Owner.UNKNOWN;
        }
        Set<Long> listeners = listenerInodes(port);
        if (listeners.isEmpty()) {
            return Owner.NONE;
        }
        Set<Long> held = socketInodes(process);
        process.descendants().forEach(child -> held.addAll(socketInodes(child)));
        for (Long inode : listeners) {
            if (held.contains(inode)) {
                return Owner.OURS;
            }
        }
        return Owner.FOREIGN;
    }

    /** Inodes of the sockets in state LISTEN on {@code port}, any local address, IPv4 and IPv6. */
    static Set<Long> listenerInodes(int port) {
        Set<Long> out = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(PROC.resolve(table), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue; // no IPv6 table on this kernel
            }
            // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(hexPort) && LISTEN.equals(f[3])) {
                    out.add(Long.parseLong(f[9]));
                }
            }
        }
        return out;
    }

    /** Inodes of the sockets among the process's open files (empty when it is gone or not ours to read). */
    static Set<Long> socketInodes(ProcessHandle process) {
        Set<Long> out = new HashSet<>();
        Path fds = PROC.resolve(Long.toString(process.pid())).resolve("fd");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fds)) {
            for (Path fd : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:[")) {
                    out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                }
            }
        } catch (IOException goneOrForbidden) {
            // an exited process has no fd folder
        }
        return out;
    }

    /** Pids of the processes on this machine that hold a listener on {@code port} (for error messages). */
    static List<Long> holders(int port) {
        Set<Long> listeners = listenerInodes(port);
        if (listeners.isEmpty()) {
            return List.of();
        }
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> socketInodes(p).stream().anyMatch(listeners::contains))
                    .map(ProcessHandle::pid).toList();
        }
    }
}

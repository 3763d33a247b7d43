package io.ipdrsp.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipdrsp.protocol.DecoderOptions;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ipdr decode CAPTURE [--port N]... [--ipv6-raw] [--raw]}: one JSON object per IPDR/SP message in a capture. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"print the IPDR/SP messages of a pcap/pcapng capture as JSON lines", "",
            "Reads a pcap or pcapng capture, reassembles the TCP connections on the given ports and prints one JSON "
                + "object per IPDR/SP message on stdout (DATA records decoded with the templates announced on the "
                + "same connection)."})
final class DecodeCommand extends ToolCommand {
    static final int DEFAULT_PORT = 4737;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Parameters(paramLabel = "CAPTURE", description = "the pcap or pcapng file")
    String capture;

    @Option(names = "--port", paramLabel = "N", description = "TCP port of IPDR/SP traffic; repeat for several "
            + "(default 4737)")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--ipv6-raw", description = "read ipV6Addr fields as 16 bytes without a length prefix (IPDR.org "
            + "reference exporter quirk)")
    boolean ipv6Raw;

    @Option(names = "--raw", description = "add each message's bytes as \"raw\" (hex)")
    boolean raw;

    @Override
    public Integer call() {
        Set<Integer> chosen = new LinkedHashSet<>();
        for (int port : ports) {
            if (port < 1 || port > 65535) {
                throw usage("--port must be 1..65535, not '" + port + "'");
            }
            chosen.add(port);
        }
        if (chosen.isEmpty()) {
            chosen.add(DEFAULT_PORT);
        }
        return decode(capture, chosen, DecoderOptions.DEFAULT.withIpv6Raw(ipv6Raw), raw, out, err);
    }

    private int decode(String capture, Set<Integer> ports, DecoderOptions options, boolean raw, PrintStream out,
            PrintStream err) {
        CaptureDecoder decoder = new CaptureDecoder(ports, options, raw, o -> {
            try {
                out.println(MAPPER.writeValueAsString(o));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e); // a tree of plain nodes always serialises
            }
        });
        Set<Integer> unsupported = new TreeSet<>();
        try (CaptureReader reader = CaptureReader.open(Path.of(capture))) {
            CapturedPacket p;
            while ((p = reader.next()) != null) {
                if (!PacketParser.supportedLinkType(p.linkType()) && unsupported.add(p.linkType())) {
                    err.println("ipdr decode: warning: link type " + p.linkType()
                            + " is not supported; its packets are skipped");
                }
                decoder.packet(p);
            }
        } catch (CaptureException e) {
            decoder.finish();
            out.flush();
            err.println("ipdr decode: cannot read " + capture + ": " + e.getMessage());
            return 1;
        }
        decoder.finish();
        out.flush();
        if (decoder.tcpSegments() == 0) {
            err.println("ipdr decode: no TCP traffic on port " + joined(ports) + " in " + capture
                    + " (choose ports with --port)");
        }
        return 0;
    }

    private static String joined(Set<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }
}

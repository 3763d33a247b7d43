package io.ipdrsp.node.session;

import io.ipdrsp.protocol.Connect;
import io.netty.channel.Channel;

/**
 * Who a connection admitted by address range belongs to, decided by its CONNECT (the handshake handler asks): the
 * CMTS's state under the name its CONNECT gives, or why it is refused.
 */
public interface Admission {
    /** @param exporter the CMTS (null when refused); {@code refusal}: the ERROR's text */
    record Result(ExporterState exporter, String refusal) {
        public static Result admitted(ExporterState exporter) {
            return new Result(exporter, null);
        }

        public static Result refused(String why) {
            return new Result(null, why);
        }
    }

    /** Called on the channel's event loop, once per connection, before CONNECT_RESPONSE; must not block. */
    Result admit(Connect connect, Channel channel);
}

package dev.novahost.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientConnectionLimitTest {

    private static final InetAddress ONE = address("127.0.0.1");
    private static final InetAddress TWO = address("127.0.0.2");

    private final ClientConnectionLimit<String> limit = new ClientConnectionLimit<>(2);

    @Test
    void anAddressHoldsAtMostItsCapAndAnotherAddressIsUnaffected() {
        assertThat(limit.admit("a", ONE)).isTrue();
        assertThat(limit.admit("b", ONE)).isTrue();
        assertThat(limit.admit("c", ONE)).isFalse();

        assertThat(limit.admit("d", TWO)).isTrue();
        assertThat(limit.heldBy(ONE)).isEqualTo(2);
    }

    @Test
    void aClosedConnectionGivesItsSlotBackOnceHoweverOftenItIsReleased() {
        limit.admit("a", ONE);
        limit.admit("b", ONE);

        limit.release("a");
        limit.release("a");
        limit.release("never-admitted");

        assertThat(limit.heldBy(ONE)).isEqualTo(1);
        assertThat(limit.admit("c", ONE)).isTrue();
        assertThat(limit.admit("d", ONE)).isFalse();
    }

    @Test
    void nothingIsKeptForAnAddressWithNoConnection() {
        for (int i = 0; i < 1000; i++) {
            var client = address("10.0." + i / 256 + "." + i % 256);
            limit.admit("c" + i, client);
            limit.release("c" + i);
        }

        assertThat(limit.clients()).isZero();
    }

    @Test
    void noCapAdmitsEveryoneAndKeepsNothing() {
        var unlimited = new ClientConnectionLimit<String>(0);
        for (int i = 0; i < 1000; i++) {
            assertThat(unlimited.admit("c" + i, ONE)).isTrue();
        }
        assertThat(unlimited.clients()).isZero();
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

package io.switchboard.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MessageAssemblyTest {

  final MessageAssembly assembly = new MessageAssembly(10);

  @Test
  void aMessageInOnePieceIsThatPiece() throws Exception {
    assertThat(assembly.add("{\"id\":1}", true)).isEqualTo("{\"id\":1}");
  }

  @Test
  void piecesAreJoinedWhenTheLastComes() throws Exception {
    assertThat(assembly.add("abc", false)).isNull();
    assertThat(assembly.add("def", false)).isNull();
    assertThat(assembly.add("g", true)).isEqualTo("abcdefg");
    assertThat(assembly.add("next", true)).as("a fresh start").isEqualTo("next");
  }

  @Test
  void exactlyTheLimitIsAllowed() throws Exception {
    assertThat(assembly.add("12345", false)).isNull();
    assertThat(assembly.add("67890", true)).isEqualTo("1234567890");
  }

  @Test
  void aMessageThatGrowsPastTheLimitIsRefusedAndNothingAfterItIsRead() throws Exception {
    assembly.add("123456", false);
    assertThatThrownBy(() -> assembly.add("78901", false)).isInstanceOf(MessageAssembly.TooBig.class)
        .hasMessage("message longer than 10 characters");
    // The rest of it, and anything else, while the socket closes: never taken for a message.
    assertThat(assembly.add("234", true)).isNull();
    assertThat(assembly.add("{\"id\":1}", true)).isNull();
  }

  @Test
  void aSinglePieceOverTheLimitIsRefused() {
    assertThatThrownBy(() -> assembly.add("12345678901", true)).isInstanceOf(MessageAssembly.TooBig.class);
  }
}

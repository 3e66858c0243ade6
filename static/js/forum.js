// What machina's board_base.html ran inline: its init, and the "add a poll option / attachment"
// buttons of the topic and post forms (harmless on pages without them).
$(function () {
  machina.init();
  machina.poll.init();
  machina.attachment.init();
});

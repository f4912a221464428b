#!/bin/sh
# Test peer: answers hello, writes to stderr lines that GitHub Actions would obey (workflow
# commands, `##[`), a colour escape, a right-to-left override, mentions, a link and markup,
# then takes the next command and exits 3. Nothing of it may act on a CI log or a comment.
. "${0%/*}/common.sh"
answer_hello
printf '::stop-commands::pwn3d\n  ::error::forged\nx ##[error]forged\n::add-mask::secret\n\033[31mred\n\342\200\256desrever\n@octocat @org/team https://evil.example/login <script>alert(1)</script>\n' >&2
next_command
exit 3
